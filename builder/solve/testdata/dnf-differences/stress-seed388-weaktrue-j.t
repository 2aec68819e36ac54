# TestRandomAgainstDNF generator=stress seed=388 weak=true: dnf install "j", reduced
# dnf (and testsolv given dnf's job, this case): [e-1-1.x86_64 j-1-1.noarch]
# slipway:  [e-1-1.x86_64 g-2-1.x86_64 j-1-1.noarch]
# full repository: dnf [e-1-1.x86_64 j-1-1.noarch], slipway [e-1-1.x86_64 g-2-1.x86_64 j-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Prv: cap3 = 2
#>=Pkg: g 2 1 x86_64
#>=Sup: ((e & i) <IF> i)
#>=Pkg: j 1 1 noarch
#>=Req: cap3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof j-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install e-1-1.x86_64@available
#>install j-1-1.noarch@available
