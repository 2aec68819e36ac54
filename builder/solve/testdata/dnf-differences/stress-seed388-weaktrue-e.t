# TestRandomAgainstDNF generator=stress seed=388 weak=true: dnf install "e", reduced
# dnf (and testsolv given dnf's job, this case): [e-1-1.x86_64]
# slipway:  [e-1-1.x86_64 g-2-1.x86_64]
# full repository: dnf [e-1-1.x86_64], slipway [e-1-1.x86_64 g-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Pkg: g 2 1 x86_64
#>=Sup: ((e & i) <IF> i)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof e-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install e-1-1.x86_64@available
