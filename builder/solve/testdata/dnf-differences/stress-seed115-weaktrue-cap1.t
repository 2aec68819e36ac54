# TestRandomAgainstDNF generator=stress seed=115 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [l-2-1.x86_64]
# slipway:  [e-1-1.noarch j-2-1.x86_64 k-1-1.x86_64]
# full repository: dnf [l-2-1.x86_64], slipway [e-1-1.noarch i-1-1.x86_64 j-2-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 noarch
#>=Req: j
#>=Prv: cap1 = 3
#>=Pkg: j 2 1 x86_64
#>=Con: l
#>=Pkg: k 1 1 x86_64
#>=Rec: (l <IF> cap1)
#>=Sup: j
#>=Pkg: l 2 1 x86_64
#>=Prv: cap1 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install l-2-1.x86_64@available
