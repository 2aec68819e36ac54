# TestRandomAgainstDNF generator=stress seed=232 weak=false: dnf install "cap3 < 3", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.x86_64]
# slipway:  [c-1-1.x86_64]
# full repository: dnf [b-2-1.x86_64], slipway [c-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 x86_64
#>=Prv: cap3 = 2
#>=Pkg: b 3 1 x86_64
#>=Pkg: c 1 1 x86_64
#>=Prv: cap3 = 1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap3 < 3
result transaction,problems <inline>
#>install b-2-1.x86_64@available
