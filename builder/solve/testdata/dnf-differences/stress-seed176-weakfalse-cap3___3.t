# TestRandomAgainstDNF generator=stress seed=176 weak=false: dnf install "cap3 < 3", reduced
# dnf (and testsolv given dnf's job, this case): [h-2-1.x86_64 l-1-1.noarch]
# slipway:  [e-1-1.noarch h-2-1.x86_64]
# full repository: dnf [f-2-1.noarch h-2-1.x86_64], slipway [c-1-1.x86_64 e-1-1.noarch h-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 noarch
#>=Prv: /usr/bin/x
#>=Pkg: e 3 1 noarch
#>=Req: (cap3 + cap2)
#>=Prv: /usr/bin/x
#>=Pkg: h 2 1 x86_64
#>=Req: /usr/bin/x
#>=Prv: cap3 = 2
#>=Pkg: l 1 1 noarch
#>=Prv: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap3 < 3
result transaction,problems <inline>
#>install h-2-1.x86_64@available
#>install l-1-1.noarch@available
