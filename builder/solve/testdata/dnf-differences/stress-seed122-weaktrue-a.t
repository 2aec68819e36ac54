# TestRandomAgainstDNF generator=stress seed=122 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.x86_64 f-1-1.x86_64 i-1-1.x86_64]
# slipway:  [a-1-1.x86_64 i-1-1.x86_64 l-3-1.x86_64]
# full repository: dnf [a-1-1.x86_64 f-1-1.x86_64 g-2-1.x86_64 i-1-1.x86_64], slipway [a-1-1.x86_64 g-2-1.x86_64 i-1-1.x86_64 l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Pkg: f 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: f 2 1 x86_64
#>=Pkg: i 1 1 x86_64
#>=Req: cap1
#>=Sup: (a <= 2 | l <= 1)
#>=Pkg: l 3 1 x86_64
#>=Prv: cap1 = 1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-1-1.x86_64@available
#>install f-1-1.x86_64@available
#>install i-1-1.x86_64@available
