# TestRandomAgainstDNF generator=stress seed=180 weak=false: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.noarch e-1-1.x86_64 f-1-1.noarch]
# slipway:  [a-2-1.noarch e-1-1.x86_64 f-1-1.noarch j-1-1.x86_64]
# full repository: dnf [a-2-1.noarch e-1-1.x86_64 f-1-1.noarch], slipway [a-2-1.noarch e-1-1.x86_64 f-1-1.noarch j-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 noarch
#>=Rec: (j <UNLESS> i)
#>=Pkg: e 1 1 x86_64
#>=Req: f = 1
#>=Prv: cap2 = 2
#>=Pkg: f 1 1 noarch
#>=Req: a
#>=Pkg: j 1 1 x86_64
#>=Req: e
#>=Prv: cap2 = 3
#>=Pkg: j 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap2 >= 2
result transaction,problems <inline>
#>install a-2-1.noarch@available
#>install e-1-1.x86_64@available
#>install f-1-1.noarch@available
