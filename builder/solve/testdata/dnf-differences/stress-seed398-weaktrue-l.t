# TestRandomAgainstDNF generator=stress seed=398 weak=true: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [a-3-1.x86_64 l-1-1.noarch]
# slipway:  [a-2-1.x86_64 l-1-1.noarch]
# full repository: dnf [a-3-1.x86_64 h-1-1.x86_64 l-1-1.noarch], slipway [a-2-1.x86_64 h-1-1.x86_64 l-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Sup: l
#>=Pkg: a 3 1 x86_64
#>=Pkg: l 1 1 noarch
#>=Rec: a
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof l-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-3-1.x86_64@available
#>install l-1-1.noarch@available
