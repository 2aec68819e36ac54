# TestRandomAgainstDNF generator=stress seed=245 weak=true: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.x86_64 i-3-1.x86_64 l-2-1.x86_64]
# slipway:  [c-1-1.x86_64 i-2-1.x86_64 l-2-1.x86_64]
# full repository: dnf [b-2-1.x86_64 c-1-1.x86_64 i-3-1.x86_64 l-2-1.x86_64], slipway [b-2-1.x86_64 c-1-1.x86_64 i-2-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 x86_64
#>=Rec: i
#>=Pkg: i 2 1 x86_64
#>=Sup: (l <UNLESS> j)
#>=Pkg: i 3 1 x86_64
#>=Pkg: l 2 1 x86_64
#>=Req: c
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof l-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-1-1.x86_64@available
#>install i-3-1.x86_64@available
#>install l-2-1.x86_64@available
