# TestRandomAgainstDNF generator=plain seed=167 weak=true: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.x86_64 l-1-1.x86_64]
# slipway:  [h-2-1.x86_64 l-1-1.x86_64]
# full repository: dnf [a-1-1.x86_64 d-1-1.noarch e-1-1.x86_64 j-1-1.x86_64 l-1-1.x86_64], slipway [d-2-1.noarch f-1-1.noarch j-1-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: a 2 1 x86_64
#>=Pkg: h 2 1 x86_64
#>=Prv: cap1 = 1
#>=Pkg: l 1 1 x86_64
#>=Req: cap1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof l-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-1-1.x86_64@available
#>install l-1-1.x86_64@available
