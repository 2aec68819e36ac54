# TestRandomAgainstDNF generator=stress seed=193 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [i-1-1.x86_64]
# slipway:  [a-3-1.noarch]
# full repository: dnf [c-1-1.noarch i-1-1.x86_64 k-1-1.x86_64], slipway [a-3-1.noarch c-1-1.noarch d-2-1.noarch h-3-1.noarch k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 3 1 noarch
#>=Prv: cap1 = 1
#>=Pkg: i 1 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: i 3 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install i-1-1.x86_64@available
