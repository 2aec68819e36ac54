# TestRandomAgainstDNF generator=stress seed=229 weak=true: dnf install "g", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.x86_64 g-1-1.x86_64]
# slipway:  [g-1-1.x86_64 k-3-1.x86_64]
# full repository: dnf [c-1-1.x86_64 e-1-1.x86_64 g-1-1.x86_64 j-1-1.noarch l-1-1.x86_64], slipway [c-2-1.x86_64 e-1-1.x86_64 g-1-1.x86_64 j-1-1.noarch k-3-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 x86_64
#>=Prv: cap2 = 3
#>=Pkg: c 2 1 x86_64
#>=Pkg: g 1 1 x86_64
#>=Rec: cap2
#>=Pkg: k 3 1 x86_64
#>=Prv: cap2 = 1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof g-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-1-1.x86_64@available
#>install g-1-1.x86_64@available
