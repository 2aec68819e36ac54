# TestRandomAgainstDNF generator=stress seed=38 weak=true: dnf install "h", reduced
# dnf (and testsolv given dnf's job, this case): [b-1-1.noarch c-1-1.noarch e-1-1.x86_64 h-2-1.x86_64 k-1-1.x86_64]
# slipway:  [a-3-1.noarch b-3-1.x86_64 c-1-1.noarch e-1-1.x86_64 h-2-1.x86_64 k-1-1.x86_64]
# full repository: dnf [b-1-1.noarch c-1-1.noarch d-2-1.noarch e-1-1.x86_64 h-2-1.x86_64 k-1-1.x86_64], slipway [a-3-1.noarch b-2-1.noarch c-1-1.noarch d-2-1.noarch e-1-1.x86_64 h-2-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 3 1 noarch
#>=Prv: cap1 = 3
#>=Pkg: b 1 1 noarch
#>=Prv: cap1 = 1
#>=Sup: b
#>=Pkg: b 3 1 x86_64
#>=Sup: (k <IF> cap3)
#>=Pkg: c 1 1 noarch
#>=Req: cap1
#>=Pkg: e 1 1 x86_64
#>=Req: c
#>=Prv: cap2 = 2
#>=Pkg: h 2 1 x86_64
#>=Req: cap2
#>=Pkg: k 1 1 x86_64
#>=Sup: ((c < 2 | a) <IF> c)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof h-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-1-1.noarch@available
#>install c-1-1.noarch@available
#>install e-1-1.x86_64@available
#>install h-2-1.x86_64@available
#>install k-1-1.x86_64@available
