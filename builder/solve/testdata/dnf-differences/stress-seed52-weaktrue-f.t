# TestRandomAgainstDNF generator=stress seed=52 weak=true: dnf install "f", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.x86_64 f-1-1.x86_64]
# slipway:  [b-1-1.x86_64 f-1-1.x86_64]
# full repository: dnf [d-1-1.x86_64 e-1-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 i-3-1.noarch j-1-1.x86_64 l-1-1.x86_64], slipway [b-1-1.x86_64 c-2-1.noarch f-1-1.x86_64 g-1-1.x86_64 i-3-1.noarch j-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Sup: f
#>=Pkg: b 2 1 x86_64
#>=Pkg: f 1 1 x86_64
#>=Rec: (b <UNLESS> e)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof f-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-2-1.x86_64@available
#>install f-1-1.x86_64@available
