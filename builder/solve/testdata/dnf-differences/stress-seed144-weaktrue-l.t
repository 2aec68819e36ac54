# TestRandomAgainstDNF generator=stress seed=144 weak=true: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [l-1-1.x86_64]
# slipway:  [k-2-1.x86_64 l-1-1.x86_64]
# full repository: dnf [a-3-1.noarch b-1-1.x86_64 i-1-1.noarch l-1-1.x86_64], slipway [a-3-1.noarch b-1-1.x86_64 i-1-1.noarch k-2-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: k 2 1 x86_64
#>=Pkg: l 1 1 x86_64
#>=Rec: (d <UNLESS> f < 2 <ELSE> k)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof l-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install l-1-1.x86_64@available
