# TestRandomAgainstDNF generator=stress seed=356 weak=true: dnf install "e", reduced
# dnf (and testsolv given dnf's job, this case): [e-1-1.noarch]
# slipway:  [e-1-1.noarch g-2-1.noarch]
# full repository: dnf [e-1-1.noarch], slipway [a-1-1.x86_64 e-1-1.noarch g-2-1.noarch j-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 noarch
#>=Rec: (g >= 1 & d >= 2)
#>=Pkg: g 2 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof e-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install e-1-1.noarch@available
