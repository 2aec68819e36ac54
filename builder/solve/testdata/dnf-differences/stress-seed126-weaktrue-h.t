# TestRandomAgainstDNF generator=stress seed=126 weak=true: dnf install "h", reduced
# dnf (and testsolv given dnf's job, this case): [h-1-1.noarch]
# slipway:  [e-1-1.x86_64 h-1-1.noarch]
# full repository: dnf [d-3-1.noarch h-1-1.noarch], slipway [d-3-1.noarch e-1-1.x86_64 h-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Pkg: h 1 1 noarch
#>=Rec: (g & e <= 1)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof h-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install h-1-1.noarch@available
