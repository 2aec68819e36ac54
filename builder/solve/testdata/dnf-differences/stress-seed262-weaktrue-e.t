# TestRandomAgainstDNF generator=stress seed=262 weak=true: dnf install "e", reduced
# dnf (and testsolv given dnf's job, this case): [i-2-1.x86_64]
# slipway:  [h-1-1.x86_64]
# full repository: dnf [i-2-1.x86_64], slipway [h-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Pkg: h 1 1 x86_64
#>=Obs: e
#>=Pkg: h 2 1 x86_64
#>=Req: l
#>=Obs: e
#>=Pkg: i 2 1 x86_64
#>=Obs: e
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof e-1-1.x86_64@available h-1-1.x86_64@available h-2-1.x86_64@available i-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install i-2-1.x86_64@available
