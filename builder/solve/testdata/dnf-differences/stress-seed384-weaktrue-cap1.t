# TestRandomAgainstDNF generator=stress seed=384 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [h-2-1.x86_64]
# slipway:  [k-1-1.noarch]
# full repository: dnf [h-2-1.x86_64], slipway [h-3-1.x86_64 k-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: h 2 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: h 3 1 x86_64
#>=Pkg: k 1 1 noarch
#>=Prv: cap1 = 1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install h-2-1.x86_64@available
