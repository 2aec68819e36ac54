# TestRandomAgainstDNF generator=stress seed=241 weak=true: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.noarch l-1-1.x86_64]
# slipway:  [c-1-1.noarch f-3-1.x86_64]
# full repository: dnf [a-1-1.noarch c-1-1.noarch d-1-1.x86_64 f-3-1.x86_64 g-2-1.x86_64 h-2-1.noarch i-2-1.noarch j-2-1.noarch], slipway [c-1-1.noarch d-2-1.x86_64 f-3-1.x86_64 g-2-1.x86_64 i-2-1.noarch j-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 noarch
#>=Req: cap3
#>=Prv: cap2 = 3
#>=Pkg: f 3 1 x86_64
#>=Prv: cap3 = 2
#>=Pkg: l 1 1 x86_64
#>=Prv: cap3 = 3
#>=Pkg: l 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap2 >= 2
result transaction,problems <inline>
#>install c-1-1.noarch@available
#>install l-1-1.x86_64@available
