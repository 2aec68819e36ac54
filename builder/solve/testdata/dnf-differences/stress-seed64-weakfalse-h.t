# TestRandomAgainstDNF generator=stress seed=64 weak=false: dnf install "h", reduced
# dnf (and testsolv given dnf's job, this case): [g-1-1.x86_64 h-1-1.x86_64 l-2-1.x86_64]
# slipway:  [e-1-1.x86_64 h-1-1.x86_64 l-2-1.x86_64]
# full repository: dnf [b-2-1.x86_64 g-1-1.x86_64 h-1-1.x86_64 l-2-1.x86_64], slipway [b-2-1.x86_64 e-1-1.x86_64 h-1-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Prv: cap2 = 1
#>=Pkg: g 1 1 x86_64
#>=Prv: cap2 = 2
#>=Pkg: g 2 1 x86_64
#>=Pkg: h 1 1 x86_64
#>=Req: (l > 2 <IF> k > 1 <ELSE> l)
#>=Pkg: l 2 1 x86_64
#>=Req: cap2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof h-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install g-1-1.x86_64@available
#>install h-1-1.x86_64@available
#>install l-2-1.x86_64@available
