# TestRandomAgainstDNF generator=stress seed=56 weak=false: dnf install "h", reduced
# dnf (and testsolv given dnf's job, this case): [h-1-1.x86_64 k-1-1.noarch]
# slipway:  [c-1-1.noarch h-1-1.x86_64]
# full repository: dnf [a-2-1.noarch c-2-1.noarch e-1-1.x86_64 h-1-1.x86_64 i-2-1.noarch], slipway [a-2-1.noarch c-1-1.noarch h-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 noarch
#>=Prv: /etc/y
#>=Pkg: c 2 1 noarch
#>=Pkg: c 3 1 x86_64
#>=Req: g
#>=Prv: /etc/y
#>=Pkg: h 1 1 x86_64
#>=Req: /etc/y
#>=Pkg: k 1 1 noarch
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof h-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install h-1-1.x86_64@available
#>install k-1-1.noarch@available
