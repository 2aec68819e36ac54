# TestRandomAgainstDNF generator=stress seed=98 weak=false: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [i-1-1.x86_64 k-2-1.x86_64]
# slipway:  [e-1-1.x86_64 i-1-1.x86_64]
# full repository: dnf [i-1-1.x86_64 k-2-1.x86_64], slipway [e-1-1.x86_64 i-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Prv: /etc/y
#>=Pkg: i 1 1 x86_64
#>=Con: ((d = 2 & k) <IF> /etc/y)
#>=Obs: l
#>=Pkg: k 2 1 x86_64
#>=Sup: (cap3 > 1 <IF> /etc/y)
#>=Prv: /etc/y
#>=Pkg: l 1 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof i-1-1.x86_64@available l-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install i-1-1.x86_64@available
#>install k-2-1.x86_64@available
