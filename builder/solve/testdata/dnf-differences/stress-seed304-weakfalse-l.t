# TestRandomAgainstDNF generator=stress seed=304 weak=false: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [g-1-1.noarch l-1-1.noarch]
# slipway:  [c-2-1.x86_64 g-1-1.noarch l-1-1.noarch]
# full repository: dnf [g-1-1.noarch l-1-1.noarch], slipway [c-2-1.x86_64 g-1-1.noarch l-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 2 1 x86_64
#>=Req: g
#>=Prv: /etc/y
#>=Pkg: g 1 1 noarch
#>=Prv: /etc/y
#>=Pkg: g 3 1 x86_64
#>=Req: (g < 2 + cap2)
#>=Prv: /etc/y
#>=Pkg: l 1 1 noarch
#>=Req: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof l-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install g-1-1.noarch@available
#>install l-1-1.noarch@available
