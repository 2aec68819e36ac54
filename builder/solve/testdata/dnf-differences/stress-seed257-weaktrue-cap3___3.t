# TestRandomAgainstDNF generator=stress seed=257 weak=true: dnf install "cap3 < 3", reduced
# dnf (and testsolv given dnf's job, this case): [b-1-1.x86_64 g-1-1.noarch]
# slipway:  [b-1-1.x86_64 k-1-1.x86_64]
# full repository: dnf [a-3-1.x86_64 b-1-1.x86_64 c-2-1.noarch e-1-1.noarch f-2-1.x86_64 g-2-1.noarch h-1-1.x86_64 i-1-1.noarch k-1-1.x86_64], slipway [a-3-1.x86_64 b-1-1.x86_64 c-2-1.noarch e-1-1.noarch f-2-1.x86_64 g-1-1.noarch h-1-1.x86_64 i-1-1.noarch k-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Rec: (k <IF> c = 2)
#>=Sup: (e | cap3 < 3)
#>=Pkg: g 1 1 noarch
#>=Prv: cap3 = 2
#>=Pkg: k 1 1 x86_64
#>=Prv: cap3 = 2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap3 < 3
result transaction,problems <inline>
#>install b-1-1.x86_64@available
#>install g-1-1.noarch@available
