# TestRandomAgainstDNF generator=stress seed=78 weak=true: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [i-3-1.x86_64 j-1-1.noarch]
# slipway:  [f-1-1.x86_64 i-3-1.x86_64 j-1-1.noarch]
# full repository: dnf [d-2-1.x86_64 f-1-1.x86_64 i-3-1.x86_64 j-1-1.noarch], slipway [d-2-1.x86_64 e-1-1.x86_64 f-1-1.x86_64 i-3-1.x86_64 j-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: i 3 1 x86_64
#>=Req: j <= 1
#>=Pkg: j 1 1 noarch
#>=Rec: (k & /usr/bin/x)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof i-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install i-3-1.x86_64@available
#>install j-1-1.noarch@available
