# TestRandomAgainstDNF generator=stress seed=10 weak=true: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [b-3-1.x86_64 d-1-1.x86_64 e-1-1.x86_64 i-1-1.x86_64 j-2-1.x86_64]
# slipway:  [b-3-1.x86_64 d-1-1.x86_64 g-2-1.x86_64 i-1-1.x86_64]
# full repository: dnf [b-3-1.x86_64 d-1-1.x86_64 e-1-1.x86_64 f-1-1.noarch i-1-1.x86_64 j-2-1.x86_64], slipway [b-3-1.x86_64 d-1-1.x86_64 e-3-1.x86_64 f-1-1.noarch g-2-1.x86_64 i-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 3 1 x86_64
#>=Req: /etc/y
#>=Sup: i
#>=Pkg: d 1 1 x86_64
#>=Req: i
#>=Prv: cap3 = 1
#>=Pkg: e 1 1 x86_64
#>=Req: (j - cap2)
#>=Sup: (d = 1 & cap3)
#>=Pkg: g 2 1 x86_64
#>=Obs: j
#>=Prv: /etc/y
#>=Pkg: i 1 1 x86_64
#>=Pkg: j 2 1 x86_64
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof d-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-3-1.x86_64@available
#>install d-1-1.x86_64@available
#>install e-1-1.x86_64@available
#>install i-1-1.x86_64@available
#>install j-2-1.x86_64@available
