# TestRandomAgainstDNF generator=stress seed=64 weak=true: dnf install "h", reduced
# dnf (and testsolv given dnf's job, this case): [h-1-1.x86_64]
# slipway:  [g-1-1.x86_64 h-1-1.x86_64]
# full repository: dnf [b-2-1.x86_64 g-1-1.x86_64 h-1-1.x86_64 l-2-1.x86_64], slipway [b-2-1.x86_64 e-1-1.x86_64 h-1-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: g 1 1 x86_64
#>=Prv: cap2 = 2
#>=Pkg: h 1 1 x86_64
#>=Rec: (/etc/y <UNLESS> cap2 <= 2 <ELSE> cap1)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof h-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install h-1-1.x86_64@available
