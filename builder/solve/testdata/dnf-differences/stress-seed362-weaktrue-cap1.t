# TestRandomAgainstDNF generator=stress seed=362 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.x86_64]
# slipway:  [a-2-1.x86_64 d-2-1.x86_64 e-1-1.x86_64 k-1-1.x86_64]
# full repository: dnf [a-1-1.x86_64 d-3-1.x86_64 e-1-1.x86_64 f-1-1.noarch i-3-1.x86_64], slipway [a-2-1.x86_64 d-2-1.x86_64 e-1-1.x86_64 f-1-1.noarch i-3-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: a 2 1 x86_64
#>=Pkg: d 2 1 x86_64
#>=Req: k
#>=Sup: e
#>=Pkg: e 1 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: k 1 1 x86_64
#>=Rec: a
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install a-1-1.x86_64@available
