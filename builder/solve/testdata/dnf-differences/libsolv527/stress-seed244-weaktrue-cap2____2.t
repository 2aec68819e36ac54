# TestRandomAgainstDNF generator=stress seed=244 weak=true: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.noarch e-1-1.noarch g-2-1.noarch]
# slipway:  [a-2-1.noarch e-1-1.noarch]
# full repository: dnf [a-2-1.noarch c-2-1.noarch d-1-1.noarch e-1-1.noarch g-2-1.noarch i-1-1.noarch], slipway [a-2-1.noarch c-2-1.noarch d-1-1.noarch e-1-1.noarch i-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 noarch
#>=Rec: (cap1 <IF> g >= 2 <ELSE> j > 2)
#>=Pkg: e 1 1 noarch
#>=Req: a
#>=Prv: cap2 = 3
#>=Pkg: g 2 1 noarch
#>=Req: cap1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap2 >= 2
result transaction,problems <inline>
#>install a-2-1.noarch@available
#>install e-1-1.noarch@available
#>install g-2-1.noarch@available
