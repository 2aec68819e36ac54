# TestRandomAgainstDNF generator=stress seed=149 weak=true: dnf install "j", reduced
# dnf (and testsolv given dnf's job, this case): [j-1-1.x86_64]
# slipway:  [b-1-1.x86_64 j-1-1.x86_64]
# full repository: dnf [j-1-1.x86_64], slipway [b-1-1.x86_64 j-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Pkg: j 1 1 x86_64
#>=Rec: (b & a)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof j-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install j-1-1.x86_64@available
