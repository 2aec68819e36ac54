# TestRandomAgainstDNF generator=stress seed=290 weak=true: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [g-2-1.x86_64]
# slipway:  [b-1-1.noarch g-2-1.x86_64]
# full repository: dnf [a-1-1.noarch f-2-1.noarch g-2-1.x86_64 k-2-1.x86_64], slipway [a-1-1.noarch b-1-1.noarch f-2-1.noarch g-2-1.x86_64 k-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 noarch
#>=Sup: ((d & cap2) <IF> i)
#>=Pkg: g 2 1 x86_64
#>=Prv: cap2 = 2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap2 >= 2
result transaction,problems <inline>
#>install g-2-1.x86_64@available
