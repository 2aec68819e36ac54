# TestRandomAgainstDNF generator=stress seed=402 weak=false: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [g-2-1.x86_64 j-3-1.x86_64]
# slipway:  [j-3-1.x86_64 l-2-1.noarch]
# full repository: dnf [g-2-1.x86_64 h-1-1.x86_64 j-3-1.x86_64], slipway [h-1-1.x86_64 j-3-1.x86_64 l-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: g 2 1 x86_64
#>=Prv: cap3 = 3
#>=Rec: l
#>=Sup: (cap3 <UNLESS> c = 1)
#>=Pkg: j 3 1 x86_64
#>=Req: ((cap3 | j < 2) | l >= 2)
#>=Prv: cap1 = 2
#>=Pkg: l 2 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap1
result transaction,problems <inline>
#>install g-2-1.x86_64@available
#>install j-3-1.x86_64@available
