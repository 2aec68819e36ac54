# TestRandomAgainstDNF generator=stress seed=324 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.x86_64 h-2-1.x86_64 i-2-1.x86_64]
# slipway:  [g-1-1.x86_64 h-2-1.x86_64]
# full repository: dnf [b-2-1.x86_64 h-2-1.x86_64], slipway [a-1-1.x86_64 g-1-1.x86_64 h-2-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 x86_64
#>=Rec: (i <IF> g <ELSE> i)
#>=Prv: /etc/y
#>=Pkg: g 1 1 x86_64
#>=Prv: /etc/y
#>=Pkg: h 2 1 x86_64
#>=Prv: cap1 = 3
#>=Rec: (/etc/y - cap1)
#>=Pkg: i 2 1 x86_64
#>=Sup: c
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install c-1-1.x86_64@available
#>install h-2-1.x86_64@available
#>install i-2-1.x86_64@available
