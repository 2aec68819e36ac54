# TestRandomAgainstDNF generator=stress seed=235 weak=true: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [d-1-1.x86_64]
# slipway:  [k-2-1.noarch]
# full repository: dnf [d-1-1.x86_64], slipway [d-2-1.x86_64 f-2-1.x86_64 i-1-1.x86_64 k-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 1 1 x86_64
#>=Prv: cap2 = 3
#>=Pkg: d 2 1 x86_64
#>=Pkg: k 2 1 noarch
#>=Prv: cap2 = 2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap2 >= 2
result transaction,problems <inline>
#>install d-1-1.x86_64@available
