# TestRandomAgainstDNF generator=stress seed=272 weak=false: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [f-1-1.x86_64 h-1-1.x86_64]
# slipway:  [h-1-1.x86_64]
# full repository: dnf [f-1-1.x86_64 h-1-1.x86_64], slipway [h-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 1 1 x86_64
#>=Req: h
#>=Prv: cap1 = 2
#>=Sup: (h <IF> j >= 2)
#>=Pkg: h 1 1 x86_64
#>=Prv: cap1 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap1
result transaction,problems <inline>
#>install f-1-1.x86_64@available
#>install h-1-1.x86_64@available
