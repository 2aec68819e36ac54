# TestRandomAgainstDNF generator=stress seed=413 weak=false: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.x86_64 l-1-1.x86_64]
# slipway:  [k-3-1.x86_64 l-1-1.x86_64]
# full repository: dnf [a-1-1.noarch b-2-1.x86_64 c-1-1.x86_64 d-1-1.x86_64 l-1-1.x86_64], slipway [e-1-1.noarch l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 x86_64
#>=Prv: cap2 = 3
#>=Pkg: c 2 1 x86_64
#>=Pkg: k 3 1 x86_64
#>=Prv: cap2 = 1
#>=Pkg: l 1 1 x86_64
#>=Req: cap2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof l-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-1-1.x86_64@available
#>install l-1-1.x86_64@available
