# TestRandomAgainstDNF generator=plain seed=236 weak=false: dnf install "g", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.x86_64 c-3-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 k-1-1.x86_64]
# slipway:  [a-1-1.noarch c-3-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 k-2-1.x86_64]
# full repository: dnf [a-2-1.x86_64 c-3-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 i-2-1.x86_64 k-1-1.x86_64 l-1-1.x86_64], slipway [a-1-1.noarch c-3-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 j-1-1.x86_64 k-2-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 noarch
#>=Pkg: a 2 1 x86_64
#>=Req: cap1
#>=Pkg: c 3 1 x86_64
#>=Req: (k = 2 | k)
#>=Req: f
#>=Pkg: f 1 1 x86_64
#>=Req: (a <UNLESS> h <= 1)
#>=Pkg: g 1 1 x86_64
#>=Req: c
#>=Pkg: k 1 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: k 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof g-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.x86_64@available
#>install c-3-1.x86_64@available
#>install f-1-1.x86_64@available
#>install g-1-1.x86_64@available
#>install k-1-1.x86_64@available
