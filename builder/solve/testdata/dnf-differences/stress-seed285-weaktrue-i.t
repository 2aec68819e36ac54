# TestRandomAgainstDNF generator=stress seed=285 weak=true: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [g-2-1.x86_64 i-2-1.x86_64]
# slipway:  [g-2-1.x86_64 h-2-1.noarch i-2-1.x86_64]
# full repository: dnf [d-3-1.x86_64 e-2-1.noarch g-2-1.x86_64 i-2-1.x86_64 l-1-1.x86_64], slipway [d-3-1.x86_64 e-2-1.noarch g-2-1.x86_64 h-2-1.noarch i-2-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: g 2 1 x86_64
#>=Rec: (h & f)
#>=Sup: i
#>=Pkg: h 2 1 noarch
#>=Pkg: i 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof i-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install g-2-1.x86_64@available
#>install i-2-1.x86_64@available
