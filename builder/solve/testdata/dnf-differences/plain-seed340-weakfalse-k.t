# TestRandomAgainstDNF generator=plain seed=340 weak=false: dnf install "k", reduced
# dnf (and testsolv given dnf's job, this case): [f-1-1.x86_64 k-2-1.x86_64]
# slipway:  [e-3-1.noarch k-2-1.x86_64]
# full repository: dnf [f-1-1.x86_64 k-2-1.x86_64], slipway [e-3-1.noarch k-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 3 1 noarch
#>=Prv: cap1 = 1
#>=Pkg: f 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: f 2 1 x86_64
#>=Pkg: k 2 1 x86_64
#>=Req: (cap1 <= 3 | f < 2)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof k-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install f-1-1.x86_64@available
#>install k-2-1.x86_64@available
