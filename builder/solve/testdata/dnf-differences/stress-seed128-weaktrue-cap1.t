# TestRandomAgainstDNF generator=stress seed=128 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [i-1-1.x86_64]
# slipway:  [j-1-1.x86_64]
# full repository: dnf [i-1-1.x86_64], slipway [j-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: i 1 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: i 3 1 x86_64
#>=Pkg: j 1 1 x86_64
#>=Prv: cap1 = 1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install i-1-1.x86_64@available
