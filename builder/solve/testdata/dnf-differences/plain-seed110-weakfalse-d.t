# TestRandomAgainstDNF generator=plain seed=110 weak=false: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [d-1-1.x86_64 h-3-1.noarch]
# slipway:  [d-1-1.x86_64 f-1-1.noarch]
# full repository: dnf [d-1-1.x86_64 h-3-1.noarch i-3-1.x86_64], slipway [d-1-1.x86_64 f-1-1.noarch i-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 1 1 x86_64
#>=Req: (f <= 2 | h)
#>=Pkg: f 1 1 noarch
#>=Pkg: f 2 1 noarch
#>=Req: j
#>=Pkg: h 3 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof d-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install d-1-1.x86_64@available
#>install h-3-1.noarch@available
