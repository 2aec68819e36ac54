# TestRandomAgainstDNF generator=stress seed=244 weak=true: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [c-2-1.noarch d-1-1.noarch e-1-1.noarch i-3-1.x86_64]
# slipway:  [c-2-1.noarch d-1-1.noarch e-1-1.noarch i-2-1.x86_64]
# full repository: dnf [a-2-1.noarch c-2-1.noarch d-1-1.noarch e-1-1.noarch g-2-1.noarch i-1-1.noarch], slipway [a-2-1.noarch c-2-1.noarch d-1-1.noarch e-1-1.noarch g-2-1.noarch i-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 2 1 noarch
#>=Rec: (i - cap1)
#>=Pkg: d 1 1 noarch
#>=Prv: /etc/y
#>=Pkg: e 1 1 noarch
#>=Req: (cap3 <= 1 <UNLESS> c <ELSE> /etc/y)
#>=Prv: cap2 = 3
#>=Pkg: i 2 1 x86_64
#>=Sup: d
#>=Pkg: i 3 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap2 >= 2
result transaction,problems <inline>
#>install c-2-1.noarch@available
#>install d-1-1.noarch@available
#>install e-1-1.noarch@available
#>install i-3-1.x86_64@available
