# TestRandomAgainstDNF generator=stress seed=203 weak=true: dnf install "k", reduced
# dnf (and testsolv given dnf's job, this case): [k-1-1.x86_64]
# slipway:  [k-1-1.x86_64 l-2-1.noarch]
# full repository: dnf [k-1-1.x86_64], slipway [k-1-1.x86_64 l-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: k 1 1 x86_64
#>=Pkg: l 2 1 noarch
#>=Sup: ((/usr/bin/x & k) <IF> d)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof k-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install k-1-1.x86_64@available
