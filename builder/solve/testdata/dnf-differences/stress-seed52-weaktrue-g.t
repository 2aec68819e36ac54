# TestRandomAgainstDNF generator=stress seed=52 weak=true: dnf install "g", reduced
# dnf (and testsolv given dnf's job, this case): [g-1-1.x86_64]
# slipway:  [d-1-1.x86_64 g-1-1.x86_64]
# full repository: dnf [d-1-1.x86_64 e-1-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 i-3-1.noarch j-1-1.x86_64 l-1-1.x86_64], slipway [b-1-1.x86_64 c-2-1.noarch g-1-1.x86_64 i-3-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 1 1 x86_64
#>=Prv: /etc/y
#>=Pkg: g 1 1 x86_64
#>=Rec: ((i & /etc/y) | i)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof g-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install g-1-1.x86_64@available
