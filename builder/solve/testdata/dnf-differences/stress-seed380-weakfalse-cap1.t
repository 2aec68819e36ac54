# TestRandomAgainstDNF generator=stress seed=380 weak=false: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [i-1-1.x86_64]
# slipway:  [f-2-1.noarch]
# full repository: dnf [i-1-1.x86_64], slipway [f-2-1.noarch g-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 2 1 noarch
#>=Prv: cap1 = 2
#>=Pkg: i 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: i 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap1
result transaction,problems <inline>
#>install i-1-1.x86_64@available
