# TestRandomAgainstDNF generator=stress seed=294 weak=true: dnf install "c", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.x86_64 f-1-1.x86_64 h-1-1.x86_64]
# slipway:  [c-1-1.x86_64 f-1-1.x86_64]
# full repository: dnf [c-1-1.x86_64 g-1-1.x86_64 l-3-1.x86_64], slipway [b-1-1.x86_64 c-1-1.x86_64 f-1-1.x86_64 l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 x86_64
#>=Rec: (cap3 <UNLESS> h < 2 <ELSE> f)
#>=Pkg: f 1 1 x86_64
#>=Pkg: h 1 1 x86_64
#>=Req: cap1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof c-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-1-1.x86_64@available
#>install f-1-1.x86_64@available
#>install h-1-1.x86_64@available
