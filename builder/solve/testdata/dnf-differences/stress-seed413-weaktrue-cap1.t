# TestRandomAgainstDNF generator=stress seed=413 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [c-2-1.x86_64 d-1-1.x86_64 k-3-1.x86_64]
# slipway:  [l-1-1.x86_64]
# full repository: dnf [a-1-1.noarch b-2-1.x86_64 c-1-1.x86_64 d-1-1.x86_64 f-1-1.noarch i-1-1.x86_64 k-3-1.x86_64], slipway [a-1-1.noarch b-2-1.x86_64 c-1-1.x86_64 d-1-1.x86_64 f-1-1.noarch i-1-1.x86_64 k-3-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 2 1 x86_64
#>=Prv: cap3 = 2
#>=Rec: (k <UNLESS> cap3 < 2 <ELSE> f)
#>=Pkg: d 1 1 x86_64
#>=Req: cap3
#>=Prv: cap1 = 3
#>=Pkg: k 3 1 x86_64
#>=Rec: (l <IF> h)
#>=Pkg: l 1 1 x86_64
#>=Prv: cap1 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install c-2-1.x86_64@available
#>install d-1-1.x86_64@available
#>install k-3-1.x86_64@available
