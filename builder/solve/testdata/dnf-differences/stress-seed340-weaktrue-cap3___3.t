# TestRandomAgainstDNF generator=stress seed=340 weak=true: dnf install "cap3 < 3", reduced
# dnf (and testsolv given dnf's job, this case): [c-2-1.x86_64]
# slipway:  [j-2-1.noarch]
# full repository: dnf [c-2-1.x86_64], slipway [a-1-1.noarch b-1-1.noarch d-1-1.x86_64 e-1-1.x86_64 g-2-1.x86_64 h-2-1.x86_64 j-3-1.noarch k-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 2 1 x86_64
#>=Prv: cap3 = 2
#>=Pkg: c 3 1 x86_64
#>=Pkg: j 2 1 noarch
#>=Prv: cap3 = 2
#>=Pkg: j 3 1 noarch
#>=Req: e
#>=Prv: cap3 = 2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap3 < 3
result transaction,problems <inline>
#>install c-2-1.x86_64@available
