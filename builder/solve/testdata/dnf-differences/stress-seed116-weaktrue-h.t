# TestRandomAgainstDNF generator=stress seed=116 weak=true: dnf install "h", reduced
# dnf (and testsolv given dnf's job, this case): [h-1-1.x86_64]
# slipway:  [h-1-1.x86_64 l-2-1.x86_64]
# full repository: dnf [h-1-1.x86_64 l-2-1.x86_64], slipway [d-1-1.x86_64 h-1-1.x86_64 j-3-1.noarch k-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: h 1 1 x86_64
#>=Rec: (g & /usr/bin/x)
#>=Pkg: l 2 1 x86_64
#>=Prv: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof h-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install h-1-1.x86_64@available
