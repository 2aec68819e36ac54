# TestRandomAgainstDNF generator=plain seed=191 weak=true: dnf install "c", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.x86_64 k-1-1.noarch]
# slipway:  [c-1-1.x86_64 g-3-1.x86_64]
# full repository: dnf [c-1-1.x86_64 k-1-1.noarch], slipway [c-1-1.x86_64 g-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 x86_64
#>=Rec: k < 2
#>=Pkg: g 3 1 x86_64
#>=Sup: c
#>=Pkg: k 1 1 noarch
#>=Obs: g
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof c-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-1-1.x86_64@available
#>install k-1-1.noarch@available
