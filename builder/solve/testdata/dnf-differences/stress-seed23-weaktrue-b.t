# TestRandomAgainstDNF generator=stress seed=23 weak=true: dnf install "b", reduced
# dnf (and testsolv given dnf's job, this case): [g-2-1.noarch]
# slipway:  [c-1-1.x86_64 g-2-1.noarch]
# full repository: dnf [g-2-1.noarch], slipway [c-1-1.x86_64 g-2-1.noarch l-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 noarch
#>=Pkg: c 1 1 x86_64
#>=Pkg: g 2 1 noarch
#>=Obs: b
#>=Rec: ((c & e) <UNLESS> a < 3)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof b-1-1.noarch@available g-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install g-2-1.noarch@available
