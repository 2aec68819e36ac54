# TestRandomAgainstDNF generator=stress seed=18 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [e-3-1.noarch]
# slipway:  [c-1-1.x86_64]
# full repository: dnf [b-1-1.noarch c-2-1.x86_64 d-2-1.noarch e-3-1.noarch j-2-1.noarch l-1-1.noarch], slipway [b-1-1.noarch g-1-1.x86_64 j-2-1.noarch k-1-1.x86_64 l-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: c 2 1 x86_64
#>=Rec: e
#>=Pkg: e 3 1 noarch
#>=Prv: cap1 = 2
#>=Pkg: i 3 1 noarch
#>=Prv: cap1 = 3
#>=Rec: c
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install e-3-1.noarch@available
