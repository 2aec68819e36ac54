# TestRandomAgainstDNF generator=stress seed=316 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [f-1-1.x86_64]
# slipway:  [k-2-1.x86_64]
# full repository: dnf [f-1-1.x86_64], slipway [k-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Req: f < 1
#>=Prv: cap1 = 3
#>=Obs: f
#>=Pkg: f 1 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: k 2 1 x86_64
#>=Prv: cap1 = 1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install f-1-1.x86_64@available
