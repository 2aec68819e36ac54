# TestRandomAgainstDNF generator=stress seed=157 weak=true: dnf install "cap3 < 3", reduced
# dnf (and testsolv given dnf's job, this case): [h-2-1.x86_64]
# slipway:  [b-1-1.noarch h-2-1.x86_64]
# full repository: dnf [h-2-1.x86_64], slipway [b-1-1.noarch h-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 noarch
#>=Prv: /etc/y
#>=Pkg: h 2 1 x86_64
#>=Prv: cap3 = 2
#>=Rec: (a = 1 & /etc/y)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap3 < 3
result transaction,problems <inline>
#>install h-2-1.x86_64@available
