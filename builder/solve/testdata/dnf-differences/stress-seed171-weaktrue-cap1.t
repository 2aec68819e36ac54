# TestRandomAgainstDNF generator=stress seed=171 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [f-1-1.x86_64 g-1-1.x86_64 k-2-1.noarch]
# slipway:  [e-1-1.x86_64 f-1-1.x86_64 k-2-1.noarch]
# full repository: dnf [e-1-1.x86_64 f-1-1.x86_64 g-1-1.x86_64 j-2-1.x86_64 k-2-1.noarch], slipway [e-1-1.x86_64 f-1-1.x86_64 k-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Pkg: e 3 1 noarch
#>=Req: (a > 2 <IF> f <ELSE> c)
#>=Pkg: f 1 1 x86_64
#>=Sup: (cap1 < 2 <UNLESS> cap2 <ELSE> a)
#>=Pkg: g 1 1 x86_64
#>=Pkg: k 2 1 noarch
#>=Prv: cap1 = 1
#>=Rec: (g >= 1 | e)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install f-1-1.x86_64@available
#>install g-1-1.x86_64@available
#>install k-2-1.noarch@available
