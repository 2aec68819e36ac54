# TestRandomAgainstDNF generator=stress seed=157 weak=true: dnf install "h", reduced
# dnf (and testsolv given dnf's job, this case): [h-2-1.x86_64]
# slipway:  [b-1-1.noarch h-2-1.x86_64]
# full repository: dnf [h-2-1.x86_64], slipway [b-1-1.noarch h-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 noarch
#>=Prv: /etc/y
#>=Pkg: h 2 1 x86_64
#>=Rec: (a = 1 & /etc/y)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof h-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install h-2-1.x86_64@available
