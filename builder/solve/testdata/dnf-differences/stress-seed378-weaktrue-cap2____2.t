# TestRandomAgainstDNF generator=stress seed=378 weak=true: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.x86_64 c-3-1.x86_64 e-2-1.noarch i-3-1.x86_64 k-3-1.x86_64]
# slipway:  [c-3-1.x86_64 e-2-1.noarch i-3-1.x86_64 l-2-1.x86_64]
# full repository: dnf [b-2-1.x86_64 c-3-1.x86_64 e-2-1.noarch g-2-1.x86_64 i-3-1.x86_64 k-3-1.x86_64 l-1-1.x86_64], slipway [b-1-1.x86_64 c-3-1.x86_64 i-3-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 x86_64
#>=Req: cap2 < 3
#>=Pkg: c 3 1 x86_64
#>=Req: cap3
#>=Sup: (i | cap2)
#>=Pkg: e 2 1 noarch
#>=Prv: cap3 = 1
#>=Pkg: i 3 1 x86_64
#>=Prv: cap2 = 3
#>=Rec: b
#>=Pkg: k 3 1 x86_64
#>=Prv: cap2 = 1
#>=Pkg: l 2 1 x86_64
#>=Obs: k
#>=Sup: ((cap3 & c) <UNLESS> cap2 < 1)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap2 >= 2
result transaction,problems <inline>
#>install b-2-1.x86_64@available
#>install c-3-1.x86_64@available
#>install e-2-1.noarch@available
#>install i-3-1.x86_64@available
#>install k-3-1.x86_64@available
