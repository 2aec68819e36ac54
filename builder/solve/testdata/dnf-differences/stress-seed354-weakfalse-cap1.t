# TestRandomAgainstDNF generator=stress seed=354 weak=false: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [e-2-1.noarch]
# slipway:  [i-2-1.x86_64]
# full repository: dnf [a-1-1.noarch c-1-1.noarch d-1-1.x86_64 e-2-1.noarch j-2-1.x86_64], slipway [g-2-1.x86_64 i-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 2 1 noarch
#>=Prv: cap1 = 1
#>=Pkg: i 2 1 x86_64
#>=Prv: cap1 = 1
#>=Pkg: i 3 1 x86_64
#>=Req: /etc/y
#>=Prv: cap1 = 2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap1
result transaction,problems <inline>
#>install e-2-1.noarch@available
