# TestRandomAgainstDNF generator=plain seed=145 weak=false: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [h-1-1.noarch l-2-1.x86_64]
# slipway:  [g-1-1.noarch l-2-1.x86_64]
# full repository: dnf [b-1-1.x86_64 h-1-1.noarch i-1-1.x86_64 l-2-1.x86_64], slipway [b-1-1.x86_64 g-1-1.noarch l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: g 1 1 noarch
#>=Prv: cap3 = 1
#>=Pkg: h 1 1 noarch
#>=Prv: cap3 = 2
#>=Pkg: h 3 1 noarch
#>=Pkg: l 2 1 x86_64
#>=Req: cap3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof l-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install h-1-1.noarch@available
#>install l-2-1.x86_64@available
