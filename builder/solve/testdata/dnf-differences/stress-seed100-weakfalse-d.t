# TestRandomAgainstDNF generator=stress seed=100 weak=false: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [d-2-1.x86_64 g-2-1.noarch]
# slipway:  [d-2-1.x86_64 l-1-1.x86_64]
# full repository: dnf [d-2-1.x86_64 g-2-1.noarch k-1-1.x86_64], slipway [d-2-1.x86_64 f-1-1.x86_64 i-1-1.noarch k-1-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 2 1 x86_64
#>=Req: /etc/y
#>=Rec: (l >= 1 <IF> cap1 > 3 <ELSE> e)
#>=Pkg: g 2 1 noarch
#>=Prv: /etc/y
#>=Pkg: l 1 1 x86_64
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof d-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install d-2-1.x86_64@available
#>install g-2-1.noarch@available
