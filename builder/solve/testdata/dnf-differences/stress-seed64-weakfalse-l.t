# TestRandomAgainstDNF generator=stress seed=64 weak=false: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [g-1-1.x86_64 l-2-1.x86_64]
# slipway:  [e-1-1.x86_64 l-2-1.x86_64]
# full repository: dnf [g-1-1.x86_64 l-2-1.x86_64], slipway [e-1-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Prv: cap2 = 1
#>=Pkg: g 1 1 x86_64
#>=Prv: cap2 = 2
#>=Pkg: g 2 1 x86_64
#>=Pkg: l 2 1 x86_64
#>=Req: cap2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof l-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install g-1-1.x86_64@available
#>install l-2-1.x86_64@available
