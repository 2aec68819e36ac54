# TestRandomAgainstDNF generator=plain seed=26 weak=true: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [i-1-1.x86_64]
# slipway:  [d-3-1.noarch]
# full repository: dnf [i-1-1.x86_64 j-2-1.x86_64], slipway [a-2-1.noarch d-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 1 1 noarch
#>=Obs: i
#>=Pkg: d 3 1 noarch
#>=Pkg: i 1 1 x86_64
#>=Obs: d
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof d-1-1.noarch@available d-3-1.noarch@available i-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install i-1-1.x86_64@available
