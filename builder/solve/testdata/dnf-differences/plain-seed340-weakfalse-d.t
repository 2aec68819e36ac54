# TestRandomAgainstDNF generator=plain seed=340 weak=false: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [d-3-1.x86_64 f-1-1.x86_64]
# slipway:  [d-3-1.x86_64 e-3-1.noarch]
# full repository: dnf [d-3-1.x86_64 f-1-1.x86_64], slipway [d-3-1.x86_64 e-3-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 3 1 x86_64
#>=Req: cap1
#>=Pkg: e 3 1 noarch
#>=Prv: cap1 = 1
#>=Pkg: f 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: f 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof d-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install d-3-1.x86_64@available
#>install f-1-1.x86_64@available
