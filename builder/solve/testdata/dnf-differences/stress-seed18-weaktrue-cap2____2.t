# TestRandomAgainstDNF generator=stress seed=18 weak=true: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [b-1-1.noarch e-3-1.noarch l-1-1.noarch]
# slipway:  [b-1-1.noarch e-2-1.x86_64 l-1-1.noarch]
# full repository: dnf [b-1-1.noarch c-2-1.x86_64 d-2-1.noarch e-3-1.noarch j-2-1.noarch l-1-1.noarch], slipway [b-1-1.noarch e-2-1.x86_64 j-2-1.noarch l-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 noarch
#>=Pkg: e 2 1 x86_64
#>=Sup: b
#>=Pkg: e 3 1 noarch
#>=Pkg: l 1 1 noarch
#>=Prv: cap2 = 2
#>=Con: ((cap2 & cap2 < 3) <UNLESS> b)
#>=Rec: e
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap2 >= 2
result transaction,problems <inline>
#>install b-1-1.noarch@available
#>install e-3-1.noarch@available
#>install l-1-1.noarch@available
