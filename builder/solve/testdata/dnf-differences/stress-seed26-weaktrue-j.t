# TestRandomAgainstDNF generator=stress seed=26 weak=true: dnf install "j", reduced
# dnf (and testsolv given dnf's job, this case): [f-1-1.noarch i-2-1.noarch j-1-1.noarch]
# slipway:  [f-2-1.x86_64 i-2-1.noarch j-1-1.noarch]
# full repository: dnf [e-1-1.x86_64 f-1-1.noarch i-2-1.noarch j-1-1.noarch], slipway [d-1-1.x86_64 e-1-1.x86_64 f-2-1.x86_64 i-2-1.noarch j-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 1 1 noarch
#>=Prv: /usr/bin/x
#>=Pkg: f 2 1 x86_64
#>=Pkg: i 2 1 noarch
#>=Req: f
#>=Sup: j
#>=Pkg: j 1 1 noarch
#>=Rec: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof j-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install f-1-1.noarch@available
#>install i-2-1.noarch@available
#>install j-1-1.noarch@available
