# TestRandomAgainstDNF generator=stress seed=68 weak=true: dnf install "g", reduced
# dnf (and testsolv given dnf's job, this case): [g-1-1.x86_64]
# slipway:  [c-2-1.x86_64 g-1-1.x86_64]
# full repository: dnf [g-1-1.x86_64 i-1-1.x86_64], slipway [c-2-1.x86_64 g-1-1.x86_64 i-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 2 1 x86_64
#>=Pkg: g 1 1 x86_64
#>=Rec: (c & h >= 3)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof g-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install g-1-1.x86_64@available
