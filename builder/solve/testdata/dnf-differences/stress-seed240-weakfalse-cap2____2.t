# TestRandomAgainstDNF generator=stress seed=240 weak=false: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.noarch b-1-1.noarch d-3-1.x86_64 g-1-1.x86_64 j-2-1.noarch]
# slipway:  [b-1-1.noarch d-3-1.x86_64]
# full repository: dnf [a-1-1.noarch b-1-1.noarch d-3-1.x86_64 g-1-1.x86_64 j-2-1.noarch], slipway [b-1-1.noarch d-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 noarch
#>=Req: g
#>=Prv: cap1 = 3
#>=Pkg: b 1 1 noarch
#>=Req: /etc/y
#>=Req: (d >= 3 <IF> g)
#>=Prv: cap2 = 2
#>=Pkg: d 3 1 x86_64
#>=Prv: /etc/y
#>=Pkg: g 1 1 x86_64
#>=Pkg: j 2 1 noarch
#>=Req: cap1
#>=Sup: (h > 3 | /etc/y)
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap2 >= 2
result transaction,problems <inline>
#>install a-1-1.noarch@available
#>install b-1-1.noarch@available
#>install d-3-1.x86_64@available
#>install g-1-1.x86_64@available
#>install j-2-1.noarch@available
