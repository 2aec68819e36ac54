# TestRandomAgainstDNF generator=stress seed=393 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [e-1-1.x86_64]
# slipway:  [e-2-1.x86_64 f-2-1.x86_64 g-1-1.x86_64 j-2-1.x86_64]
# full repository: dnf [a-1-1.noarch d-1-1.x86_64 e-1-1.x86_64 f-1-1.x86_64], slipway [a-2-1.x86_64 e-2-1.x86_64 f-2-1.x86_64 g-1-1.x86_64 j-2-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: e 2 1 x86_64
#>=Req: f
#>=Sup: g
#>=Pkg: f 2 1 x86_64
#>=Req: j
#>=Pkg: g 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: j 2 1 x86_64
#>=Rec: (e <UNLESS> f)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install e-1-1.x86_64@available
