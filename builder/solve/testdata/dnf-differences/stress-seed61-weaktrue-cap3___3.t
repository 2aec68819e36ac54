# TestRandomAgainstDNF generator=stress seed=61 weak=true: dnf install "cap3 < 3", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.noarch e-2-1.noarch g-2-1.noarch h-2-1.x86_64]
# slipway:  [b-2-1.noarch e-2-1.noarch h-2-1.x86_64]
# full repository: dnf [b-2-1.noarch e-2-1.noarch g-2-1.noarch h-2-1.x86_64 k-1-1.x86_64], slipway [b-2-1.noarch e-2-1.noarch h-2-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 noarch
#>=Req: cap2
#>=Sup: (cap3 <IF> cap1)
#>=Pkg: e 2 1 noarch
#>=Prv: cap2 = 3
#>=Pkg: g 2 1 noarch
#>=Sup: (cap3 <UNLESS> cap2 <= 3)
#>=Pkg: h 2 1 x86_64
#>=Prv: cap3 = 1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap3 < 3
result transaction,problems <inline>
#>install b-2-1.noarch@available
#>install e-2-1.noarch@available
#>install g-2-1.noarch@available
#>install h-2-1.x86_64@available
