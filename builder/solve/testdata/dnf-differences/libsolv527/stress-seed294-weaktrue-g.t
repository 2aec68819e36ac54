# TestRandomAgainstDNF generator=stress seed=294 weak=true: dnf install "g", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.x86_64 f-1-1.x86_64 g-2-1.noarch h-1-1.x86_64 j-1-1.x86_64 l-3-1.x86_64]
# slipway:  [c-1-1.x86_64 f-1-1.x86_64 g-2-1.noarch j-1-1.x86_64 l-3-1.x86_64]
# full repository: dnf [b-1-1.x86_64 c-1-1.x86_64 f-1-1.x86_64 h-1-1.x86_64 j-1-1.x86_64 l-3-1.x86_64], slipway [b-1-1.x86_64 c-1-1.x86_64 f-1-1.x86_64 j-1-1.x86_64 l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 x86_64
#>=Rec: (cap3 <UNLESS> h < 2 <ELSE> f)
#>=Pkg: f 1 1 x86_64
#>=Pkg: g 2 1 noarch
#>=Pkg: h 1 1 x86_64
#>=Req: cap1
#>=Pkg: j 1 1 x86_64
#>=Req: l > 2
#>=Sup: (g >= 1 <UNLESS> k >= 2)
#>=Pkg: l 3 1 x86_64
#>=Req: c
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof g-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install c-1-1.x86_64@available
#>install f-1-1.x86_64@available
#>install g-2-1.noarch@available
#>install h-1-1.x86_64@available
#>install j-1-1.x86_64@available
#>install l-3-1.x86_64@available
