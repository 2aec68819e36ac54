# TestRandomAgainstDNF generator=stress seed=109 weak=false: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.x86_64 f-2-1.x86_64]
# slipway:  [f-2-1.x86_64]
# full repository: dnf [a-2-1.x86_64 c-2-1.x86_64 f-2-1.x86_64], slipway [c-2-1.x86_64 f-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Req: f
#>=Prv: cap1 = 1
#>=Sup: ((j < 2 | /etc/y) <IF> cap3 < 3)
#>=Pkg: f 2 1 x86_64
#>=Prv: cap1 = 2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap1
result transaction,problems <inline>
#>install a-2-1.x86_64@available
#>install f-2-1.x86_64@available
