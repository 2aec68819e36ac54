# TestRandomAgainstDNF generator=stress seed=52 weak=true: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [i-3-1.noarch l-1-1.x86_64]
# slipway:  [b-1-1.x86_64 i-3-1.noarch]
# full repository: dnf [d-1-1.x86_64 e-1-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 i-3-1.noarch j-1-1.x86_64 l-1-1.x86_64], slipway [b-1-1.x86_64 c-2-1.noarch g-1-1.x86_64 i-3-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Sup: (cap2 <UNLESS> cap2 = 2)
#>=Pkg: b 2 1 x86_64
#>=Pkg: i 3 1 noarch
#>=Prv: cap2 = 3
#>=Pkg: l 1 1 x86_64
#>=Con: b
#>=Sup: (i | j)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof i-3-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install i-3-1.noarch@available
#>install l-1-1.x86_64@available
