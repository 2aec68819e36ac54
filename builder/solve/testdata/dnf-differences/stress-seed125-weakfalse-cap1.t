# TestRandomAgainstDNF generator=stress seed=125 weak=false: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [k-1-1.x86_64]
# slipway:  [g-2-1.x86_64]
# full repository: dnf [c-1-1.noarch e-1-1.noarch j-2-1.x86_64 k-1-1.x86_64], slipway [c-1-1.noarch g-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: g 2 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: k 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: k 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap1
result transaction,problems <inline>
#>install k-1-1.x86_64@available
