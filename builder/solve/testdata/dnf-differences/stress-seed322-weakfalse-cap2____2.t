# TestRandomAgainstDNF generator=stress seed=322 weak=false: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [g-1-1.noarch]
# slipway:  [i-1-1.noarch]
# full repository: dnf [g-1-1.noarch], slipway [i-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 noarch
#>=Req: d = 2
#>=Prv: cap2 = 2
#>=Obs: g
#>=Pkg: g 1 1 noarch
#>=Prv: cap2 = 3
#>=Pkg: i 1 1 noarch
#>=Prv: cap2 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap2 >= 2
result transaction,problems <inline>
#>install g-1-1.noarch@available
