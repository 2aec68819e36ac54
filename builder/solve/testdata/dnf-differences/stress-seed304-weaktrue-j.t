# TestRandomAgainstDNF generator=stress seed=304 weak=true: dnf install "j", reduced
# dnf (and testsolv given dnf's job, this case): [j-1-1.x86_64]
# slipway:  [a-1-1.noarch j-1-1.x86_64]
# full repository: dnf [c-1-1.noarch d-1-1.x86_64 f-2-1.x86_64 h-1-1.x86_64 j-1-1.x86_64], slipway [a-1-1.noarch c-1-1.noarch d-1-1.x86_64 f-2-1.x86_64 h-1-1.x86_64 j-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 noarch
#>=Pkg: j 1 1 x86_64
#>=Rec: (i <UNLESS> a <ELSE> /usr/bin/x)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof j-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install j-1-1.x86_64@available
