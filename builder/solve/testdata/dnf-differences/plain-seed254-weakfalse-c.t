# TestRandomAgainstDNF generator=plain seed=254 weak=false: dnf install "c", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.x86_64 c-2-1.noarch k-3-1.x86_64]
# slipway:  [c-2-1.noarch f-1-1.x86_64 k-3-1.x86_64]
# full repository: dnf [b-2-1.x86_64 c-2-1.noarch k-3-1.x86_64], slipway [c-2-1.noarch f-1-1.x86_64 k-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: b 3 1 x86_64
#>=Pkg: c 2 1 noarch
#>=Req: cap2
#>=Pkg: f 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: f 2 1 x86_64
#>=Req: (cap2 > 2 + cap3)
#>=Prv: /usr/bin/x
#>=Pkg: k 3 1 x86_64
#>=Req: /usr/bin/x
#>=Prv: cap2 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof c-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install b-2-1.x86_64@available
#>install c-2-1.noarch@available
#>install k-3-1.x86_64@available
