# TestRandomAgainstDNF generator=stress seed=353 weak=true: dnf install "k", reduced
# dnf (and testsolv given dnf's job, this case): [k-1-1.noarch]
# slipway:  [a-1-1.noarch k-1-1.noarch]
# full repository: dnf [a-1-1.noarch b-1-1.noarch e-1-1.x86_64 g-1-1.x86_64 k-1-1.noarch], slipway [a-1-1.noarch b-1-1.noarch e-1-1.x86_64 j-1-1.x86_64 k-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 noarch
#>=Pkg: k 1 1 noarch
#>=Rec: ((cap3 & a) | cap1 < 3)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof k-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install k-1-1.noarch@available
