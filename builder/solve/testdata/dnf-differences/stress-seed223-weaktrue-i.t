# TestRandomAgainstDNF generator=stress seed=223 weak=true: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [g-1-1.x86_64 i-1-1.x86_64]
# slipway:  [e-1-1.noarch i-1-1.x86_64]
# full repository: dnf [g-1-1.x86_64 i-1-1.x86_64], slipway [e-1-1.noarch i-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 noarch
#>=Prv: cap2 = 1
#>=Pkg: e 3 1 x86_64
#>=Req: cap1
#>=Pkg: g 1 1 x86_64
#>=Prv: cap2 = 3
#>=Pkg: i 1 1 x86_64
#>=Rec: (g | e)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof i-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install g-1-1.x86_64@available
#>install i-1-1.x86_64@available
