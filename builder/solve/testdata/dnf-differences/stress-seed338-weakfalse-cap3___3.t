# TestRandomAgainstDNF generator=stress seed=338 weak=false: dnf install "cap3 < 3", reduced
# dnf (and testsolv given dnf's job, this case): [h-1-1.x86_64]
# slipway:  [d-2-1.noarch]
# full repository: dnf [b-2-1.noarch e-2-1.noarch h-1-1.x86_64], slipway [d-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 2 1 noarch
#>=Prv: cap3 = 1
#>=Pkg: h 1 1 x86_64
#>=Prv: cap3 = 2
#>=Pkg: h 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap3 < 3
result transaction,problems <inline>
#>install h-1-1.x86_64@available
