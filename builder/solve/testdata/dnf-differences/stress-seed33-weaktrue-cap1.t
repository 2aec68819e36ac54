# TestRandomAgainstDNF generator=stress seed=33 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [g-2-1.x86_64]
# slipway:  [g-2-1.x86_64 j-2-1.x86_64]
# full repository: dnf [b-2-1.x86_64 g-1-1.x86_64 k-2-1.noarch], slipway [a-2-1.noarch c-1-1.x86_64 f-2-1.noarch j-2-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: g 2 1 x86_64
#>=Prv: cap1 = 3
#>=Rec: (k < 2 <UNLESS> j <ELSE> j > 2)
#>=Pkg: j 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install g-2-1.x86_64@available
