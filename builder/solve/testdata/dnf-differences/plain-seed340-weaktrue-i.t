# TestRandomAgainstDNF generator=plain seed=340 weak=true: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [d-2-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 k-2-1.x86_64]
# slipway:  [d-2-1.x86_64 e-3-1.noarch g-1-1.x86_64 k-2-1.x86_64]
# full repository: dnf [c-1-1.x86_64 d-2-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 k-2-1.x86_64], slipway [d-2-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 k-2-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 2 1 x86_64
#>=Req: (g & g)
#>=Obs: i
#>=Pkg: e 3 1 noarch
#>=Prv: cap1 = 1
#>=Pkg: f 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: f 2 1 x86_64
#>=Pkg: g 1 1 x86_64
#>=Rec: k
#>=Pkg: i 2 1 x86_64
#>=Pkg: k 2 1 x86_64
#>=Req: (cap1 <= 3 | f < 2)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof d-2-1.x86_64@available i-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install d-2-1.x86_64@available
#>install f-1-1.x86_64@available
#>install g-1-1.x86_64@available
#>install k-2-1.x86_64@available
