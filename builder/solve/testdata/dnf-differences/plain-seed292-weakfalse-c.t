# TestRandomAgainstDNF generator=plain seed=292 weak=false: dnf install "c", reduced
# dnf (and testsolv given dnf's job, this case): [c-2-1.noarch g-2-1.x86_64 h-1-1.x86_64 i-1-1.noarch]
# slipway:  [a-1-1.noarch c-2-1.noarch h-2-1.x86_64 i-1-1.noarch j-1-1.x86_64]
# full repository: dnf [c-2-1.noarch g-2-1.x86_64 h-1-1.x86_64 i-1-1.noarch], slipway [a-1-1.noarch c-2-1.noarch d-3-1.x86_64 e-1-1.x86_64 g-1-1.x86_64 h-2-1.x86_64 i-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 noarch
#>=Prv: cap2 = 1
#>=Pkg: c 2 1 noarch
#>=Req: h <= 2
#>=Req: (i & /usr/bin/x)
#>=Pkg: g 2 1 x86_64
#>=Con: cap2
#>=Prv: /usr/bin/x
#>=Pkg: h 1 1 x86_64
#>=Pkg: h 2 1 x86_64
#>=Req: cap2
#>=Pkg: i 1 1 noarch
#>=Rec: g
#>=Pkg: j 1 1 x86_64
#>=Prv: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof c-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install c-2-1.noarch@available
#>install g-2-1.x86_64@available
#>install h-1-1.x86_64@available
#>install i-1-1.noarch@available
