# TestRandomAgainstDNF generator=plain seed=232 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [f-1-1.x86_64]
# slipway:  [a-2-1.x86_64]
# full repository: dnf [b-2-1.x86_64 f-1-1.x86_64 i-2-1.noarch k-1-1.noarch l-1-1.x86_64], slipway [a-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Obs: f
#>=Pkg: a 2 1 x86_64
#>=Pkg: f 1 1 x86_64
#>=Obs: a
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-1-1.x86_64@available a-2-1.x86_64@available f-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install f-1-1.x86_64@available
