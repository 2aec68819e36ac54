# TestRandomAgainstDNF generator=stress seed=317 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [b-1-1.x86_64 f-2-1.x86_64 k-3-1.x86_64]
# slipway:  [b-1-1.x86_64]
# full repository: dnf [b-1-1.x86_64 f-2-1.x86_64 k-3-1.x86_64], slipway [b-1-1.x86_64 j-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: f 2 1 x86_64
#>=Req: /usr/bin/x
#>=Prv: cap1 = 2
#>=Sup: (/etc/y <IF> e)
#>=Pkg: k 3 1 x86_64
#>=Req: b
#>=Prv: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install b-1-1.x86_64@available
#>install f-2-1.x86_64@available
#>install k-3-1.x86_64@available
