# TestRandomAgainstDNF generator=stress seed=367 weak=true: dnf install "b", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.x86_64 l-3-1.x86_64]
# slipway:  [b-2-1.x86_64 f-1-1.noarch l-3-1.x86_64]
# full repository: dnf [b-2-1.x86_64 g-1-1.x86_64 h-3-1.x86_64 i-3-1.x86_64 l-3-1.x86_64], slipway [a-1-1.x86_64 b-2-1.x86_64 f-1-1.noarch g-1-1.x86_64 h-3-1.x86_64 i-3-1.x86_64 l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 x86_64
#>=Rec: l
#>=Pkg: f 1 1 noarch
#>=Sup: ((cap1 & /etc/y) <IF> e)
#>=Pkg: l 3 1 x86_64
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof b-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-2-1.x86_64@available
#>install l-3-1.x86_64@available
