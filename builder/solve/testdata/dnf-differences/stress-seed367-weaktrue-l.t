# TestRandomAgainstDNF generator=stress seed=367 weak=true: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [l-3-1.x86_64]
# slipway:  [f-1-1.noarch l-3-1.x86_64]
# full repository: dnf [g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64], slipway [a-1-1.x86_64 f-1-1.noarch g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 1 1 noarch
#>=Sup: ((cap1 & /etc/y) <IF> e)
#>=Pkg: l 3 1 x86_64
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof l-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install l-3-1.x86_64@available
