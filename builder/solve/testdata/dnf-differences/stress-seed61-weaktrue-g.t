# TestRandomAgainstDNF generator=stress seed=61 weak=true: dnf install "g", reduced
# dnf (and testsolv given dnf's job, this case): [g-2-1.noarch h-3-1.x86_64 i-1-1.x86_64]
# slipway:  [d-1-1.x86_64 g-2-1.noarch h-3-1.x86_64 i-1-1.x86_64]
# full repository: dnf [b-2-1.noarch c-2-1.x86_64 d-1-1.x86_64 g-2-1.noarch h-3-1.x86_64 i-1-1.x86_64], slipway [b-2-1.noarch e-2-1.noarch g-2-1.noarch h-3-1.x86_64 i-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: g 2 1 noarch
#>=Req: h
#>=Pkg: h 3 1 x86_64
#>=Rec: i
#>=Pkg: i 1 1 x86_64
#>=Rec: (cap1 <UNLESS> c <ELSE> /usr/bin/x)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof g-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install g-2-1.noarch@available
#>install h-3-1.x86_64@available
#>install i-1-1.x86_64@available
