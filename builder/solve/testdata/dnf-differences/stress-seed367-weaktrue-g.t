# TestRandomAgainstDNF generator=stress seed=367 weak=true: dnf install "g", reduced
# dnf (and testsolv given dnf's job, this case): [g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64]
# slipway:  [f-1-1.noarch g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64]
# full repository: dnf [g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64], slipway [a-1-1.x86_64 f-1-1.noarch g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 1 1 noarch
#>=Sup: ((cap1 & /etc/y) <IF> e)
#>=Pkg: g 1 1 x86_64
#>=Con: (e <IF> i)
#>=Pkg: i 3 1 x86_64
#>=Pkg: l 3 1 x86_64
#>=Sup: i
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof g-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install g-1-1.x86_64@available
#>install i-3-1.x86_64@available
#>install l-3-1.x86_64@available
