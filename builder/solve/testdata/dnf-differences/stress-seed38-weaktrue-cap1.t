# TestRandomAgainstDNF generator=stress seed=38 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [d-1-1.x86_64]
# slipway:  [b-1-1.noarch]
# full repository: dnf [b-1-1.noarch], slipway [a-3-1.noarch b-3-1.x86_64 c-1-1.noarch d-2-1.noarch e-1-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 noarch
#>=Prv: cap1 = 1
#>=Pkg: d 1 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: g 1 1 x86_64
#>=Req: j
#>=Prv: cap1 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install d-1-1.x86_64@available
