# TestRandomAgainstDNF generator=stress seed=254 weak=true: dnf install "cap3 < 3", reduced
# dnf (and testsolv given dnf's job, this case): [d-1-1.x86_64 e-1-1.x86_64 f-2-1.x86_64 h-2-1.x86_64]
# slipway:  [d-1-1.x86_64 e-1-1.x86_64 f-2-1.x86_64]
# full repository: dnf [d-1-1.x86_64 e-1-1.x86_64 f-2-1.x86_64 h-2-1.x86_64 j-1-1.noarch l-1-1.x86_64], slipway [d-1-1.x86_64 e-1-1.x86_64 f-2-1.x86_64 j-1-1.noarch l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 1 1 x86_64
#>=Pkg: e 1 1 x86_64
#>=Rec: (b <UNLESS> h <ELSE> f)
#>=Sup: (cap2 | d <= 1)
#>=Pkg: f 2 1 x86_64
#>=Req: d
#>=Prv: cap3 = 2
#>=Pkg: h 2 1 x86_64
#>=Con: (l = 2 <IF> a <= 3)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap3 < 3
result transaction,problems <inline>
#>install d-1-1.x86_64@available
#>install e-1-1.x86_64@available
#>install f-2-1.x86_64@available
#>install h-2-1.x86_64@available
