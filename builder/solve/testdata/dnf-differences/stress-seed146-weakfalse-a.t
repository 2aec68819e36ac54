# TestRandomAgainstDNF generator=stress seed=146 weak=false: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [c-2-1.x86_64 g-1-1.x86_64]
# slipway:  [d-1-1.noarch g-1-1.x86_64]
# full repository: dnf [c-2-1.x86_64 g-1-1.x86_64], slipway [d-1-1.noarch g-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Pkg: c 2 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: d 1 1 noarch
#>=Sup: (g <= 1 <IF> f > 1)
#>=Prv: /usr/bin/x
#>=Pkg: g 1 1 x86_64
#>=Req: /usr/bin/x
#>=Obs: a
#>=Rec: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof a-1-1.x86_64@available g-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-2-1.x86_64@available
#>install g-1-1.x86_64@available
