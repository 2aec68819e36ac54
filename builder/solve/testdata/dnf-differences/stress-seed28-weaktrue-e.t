# TestRandomAgainstDNF generator=stress seed=28 weak=true: dnf install "e", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.x86_64 c-2-1.x86_64 e-1-1.x86_64 f-3-1.noarch]
# slipway:  [e-1-1.x86_64 f-3-1.noarch i-1-1.x86_64]
# full repository: dnf [a-2-1.x86_64 c-2-1.x86_64 e-1-1.x86_64 f-3-1.noarch g-1-1.noarch j-1-1.noarch], slipway [e-1-1.x86_64 f-3-1.noarch g-1-1.noarch i-1-1.x86_64 j-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Req: c
#>=Sup: f
#>=Pkg: c 2 1 x86_64
#>=Pkg: e 1 1 x86_64
#>=Req: cap2 >= 2
#>=Req: f
#>=Rec: (i | /usr/bin/x)
#>=Pkg: f 2 1 noarch
#>=Pkg: f 3 1 noarch
#>=Prv: cap2 = 2
#>=Pkg: i 1 1 x86_64
#>=Prv: cap2 = 2
#>=Obs: c
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof e-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.x86_64@available
#>install c-2-1.x86_64@available
#>install e-1-1.x86_64@available
#>install f-3-1.noarch@available
