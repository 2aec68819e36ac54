# TestRandomAgainstDNF generator=stress seed=245 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.x86_64]
# slipway:  [a-2-1.x86_64 i-3-1.x86_64]
# full repository: dnf [a-2-1.x86_64 b-2-1.x86_64 c-1-1.x86_64 h-1-1.x86_64 i-3-1.x86_64 l-2-1.x86_64], slipway [a-2-1.x86_64 b-2-1.x86_64 c-1-1.x86_64 h-1-1.x86_64 i-2-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Rec: (k <UNLESS> g <ELSE> i)
#>=Pkg: i 3 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.x86_64@available
