# TestRandomAgainstDNF generator=stress seed=228 weak=false: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [a-3-1.x86_64 l-1-1.x86_64]
# slipway:  [a-3-1.x86_64]
# full repository: dnf [a-3-1.x86_64 j-3-1.x86_64 l-1-1.x86_64], slipway [a-3-1.x86_64 i-1-1.x86_64 l-3-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 3 1 x86_64
#>=Prv: cap1 = 1
#>=Pkg: l 1 1 x86_64
#>=Prv: cap1 = 2
#>=Con: ((cap3 < 2 & cap3 > 1) <IF> a)
#>=Sup: (cap3 > 3 <IF> /etc/y)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap1
result transaction,problems <inline>
#>install a-3-1.x86_64@available
#>install l-1-1.x86_64@available
