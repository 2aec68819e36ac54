# TestRandomAgainstDNF generator=plain seed=265 weak=true: dnf install "f", reduced
# dnf (and testsolv given dnf's job, this case): [f-1-1.x86_64 i-2-1.x86_64]
# slipway:  [f-1-1.x86_64 j-1-1.noarch]
# full repository: dnf [d-2-1.x86_64 f-1-1.x86_64 i-2-1.x86_64], slipway [d-2-1.x86_64 f-1-1.x86_64 i-1-1.x86_64 j-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 1 1 x86_64
#>=Req: cap3
#>=Pkg: i 2 1 x86_64
#>=Prv: cap3 = 3
#>=Pkg: i 3 1 x86_64
#>=Pkg: j 1 1 noarch
#>=Prv: cap3 = 2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof f-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install f-1-1.x86_64@available
#>install i-2-1.x86_64@available
