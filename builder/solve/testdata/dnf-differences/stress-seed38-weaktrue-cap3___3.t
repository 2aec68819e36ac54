# TestRandomAgainstDNF generator=stress seed=38 weak=true: dnf install "cap3 < 3", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.noarch c-1-1.noarch d-2-1.noarch e-1-1.x86_64 k-1-1.x86_64]
# slipway:  [b-3-1.x86_64 c-1-1.noarch d-2-1.noarch e-1-1.x86_64 k-1-1.x86_64]
# full repository: dnf [b-1-1.noarch c-1-1.noarch d-2-1.noarch e-1-1.x86_64 k-1-1.x86_64], slipway [a-3-1.noarch b-3-1.x86_64 c-1-1.noarch d-2-1.noarch e-1-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 noarch
#>=Sup: (cap2 > 1 <UNLESS> g)
#>=Pkg: b 3 1 x86_64
#>=Sup: (k <IF> cap3)
#>=Pkg: c 1 1 noarch
#>=Pkg: d 2 1 noarch
#>=Prv: cap3 = 1
#>=Pkg: e 1 1 x86_64
#>=Req: c
#>=Prv: cap2 = 2
#>=Sup: (d | cap3)
#>=Pkg: k 1 1 x86_64
#>=Sup: ((c < 2 | a) <IF> c)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap3 < 3
result transaction,problems <inline>
#>install b-2-1.noarch@available
#>install c-1-1.noarch@available
#>install d-2-1.noarch@available
#>install e-1-1.x86_64@available
#>install k-1-1.x86_64@available
