# TestRandomAgainstDNF generator=plain seed=308 weak=true: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [h-1-1.x86_64 l-1-1.noarch]
# slipway:  [k-1-1.x86_64 l-1-1.noarch]
# full repository: dnf [b-1-1.x86_64 h-1-1.x86_64 l-1-1.noarch], slipway [b-1-1.x86_64 k-1-1.x86_64 l-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: h 1 1 x86_64
#>=Prv: cap3 = 3
#>=Pkg: i 2 1 x86_64
#>=Req: cap2 < 1
#>=Prv: cap3 = 3
#>=Rec: k <= 3
#>=Sup: h
#>=Pkg: k 1 1 x86_64
#>=Prv: cap3 = 1
#>=Pkg: l 1 1 noarch
#>=Req: cap3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof l-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install h-1-1.x86_64@available
#>install l-1-1.noarch@available
