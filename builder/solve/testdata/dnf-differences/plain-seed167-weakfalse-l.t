# TestRandomAgainstDNF generator=plain seed=167 weak=false: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [i-2-1.x86_64 l-1-1.x86_64]
# slipway:  [h-2-1.x86_64 l-1-1.x86_64]
# full repository: dnf [a-1-1.x86_64 d-1-1.noarch e-1-1.x86_64 j-1-1.x86_64 l-1-1.x86_64], slipway [d-2-1.noarch f-1-1.noarch j-1-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: h 2 1 x86_64
#>=Prv: cap1 = 1
#>=Pkg: i 2 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: i 3 1 x86_64
#>=Pkg: l 1 1 x86_64
#>=Req: cap1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof l-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install i-2-1.x86_64@available
#>install l-1-1.x86_64@available
