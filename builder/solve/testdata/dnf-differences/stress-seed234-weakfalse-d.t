# TestRandomAgainstDNF generator=stress seed=234 weak=false: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [d-3-1.x86_64 h-1-1.noarch k-2-1.x86_64]
# slipway:  [d-3-1.x86_64 g-2-1.noarch h-1-1.noarch]
# full repository: dnf [d-3-1.x86_64 h-1-1.noarch k-2-1.x86_64], slipway [d-3-1.x86_64 g-2-1.noarch h-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 3 1 x86_64
#>=Req: (cap1 <= 3 <IF> cap3 <= 3 <ELSE> /usr/bin/x)
#>=Rec: (g <IF> /etc/y)
#>=Pkg: g 2 1 noarch
#>=Prv: cap1 = 2
#>=Pkg: h 1 1 noarch
#>=Prv: cap3 = 1
#>=Pkg: k 2 1 x86_64
#>=Prv: cap1 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof d-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install d-3-1.x86_64@available
#>install h-1-1.noarch@available
#>install k-2-1.x86_64@available
