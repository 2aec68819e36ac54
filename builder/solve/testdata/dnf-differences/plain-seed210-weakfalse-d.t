# TestRandomAgainstDNF generator=plain seed=210 weak=false: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [b-1-1.x86_64 d-2-1.x86_64 e-1-1.x86_64 g-2-1.x86_64]
# slipway:  [b-2-1.x86_64 d-2-1.x86_64 e-1-1.x86_64 g-1-1.x86_64]
# full repository: dnf [b-1-1.x86_64 d-2-1.x86_64 e-1-1.x86_64 g-2-1.x86_64], slipway [b-2-1.x86_64 d-2-1.x86_64 e-1-1.x86_64 g-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Pkg: b 2 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: d 2 1 x86_64
#>=Req: b
#>=Req: e
#>=Pkg: e 1 1 x86_64
#>=Req: g
#>=Pkg: g 1 1 x86_64
#>=Pkg: g 2 1 x86_64
#>=Con: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof d-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-1-1.x86_64@available
#>install d-2-1.x86_64@available
#>install e-1-1.x86_64@available
#>install g-2-1.x86_64@available
