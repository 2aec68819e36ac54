# TestRandomAgainstDNF generator=plain seed=239 weak=true: dnf install "g", reduced
# dnf (and testsolv given dnf's job, this case): [g-1-1.noarch h-3-1.noarch i-3-1.noarch j-1-1.x86_64]
# slipway:  [g-1-1.noarch h-1-1.noarch i-3-1.noarch]
# full repository: dnf [f-2-1.x86_64 g-1-1.noarch h-2-1.x86_64 i-3-1.noarch j-1-1.x86_64 l-1-1.x86_64], slipway [f-2-1.x86_64 g-1-1.noarch h-1-1.noarch i-3-1.noarch l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: g 1 1 noarch
#>=Req: (i > 1 <UNLESS> k)
#>=Pkg: h 1 1 noarch
#>=Prv: /usr/bin/x
#>=Pkg: h 3 1 noarch
#>=Pkg: i 3 1 noarch
#>=Rec: /usr/bin/x
#>=Pkg: j 1 1 x86_64
#>=Rec: h >= 1
#>=Prv: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof g-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install g-1-1.noarch@available
#>install h-3-1.noarch@available
#>install i-3-1.noarch@available
#>install j-1-1.x86_64@available
