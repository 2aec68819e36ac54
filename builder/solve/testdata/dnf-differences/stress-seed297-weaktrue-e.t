# TestRandomAgainstDNF generator=stress seed=297 weak=true: dnf install "e", reduced
# dnf (and testsolv given dnf's job, this case): [e-1-1.x86_64 g-1-1.x86_64]
# slipway:  [d-2-1.noarch e-1-1.x86_64 g-1-1.x86_64]
# full repository: dnf [e-1-1.x86_64 g-1-1.x86_64 l-1-1.x86_64], slipway [d-2-1.noarch e-1-1.x86_64 f-2-1.x86_64 g-1-1.x86_64 h-1-1.noarch j-1-1.noarch l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 2 1 noarch
#>=Sup: ((cap3 & g) <IF> cap2)
#>=Pkg: e 1 1 x86_64
#>=Rec: ((cap3 | g) <UNLESS> l)
#>=Pkg: g 1 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof e-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install e-1-1.x86_64@available
#>install g-1-1.x86_64@available
