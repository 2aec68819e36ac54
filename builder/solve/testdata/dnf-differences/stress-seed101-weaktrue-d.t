# TestRandomAgainstDNF generator=stress seed=101 weak=true: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [a-3-1.noarch c-2-1.x86_64 d-2-1.noarch k-1-1.x86_64]
# slipway:  [a-2-1.noarch c-2-1.x86_64 d-2-1.noarch k-1-1.x86_64]
# full repository: dnf [a-3-1.noarch c-2-1.x86_64 d-2-1.noarch k-1-1.x86_64], slipway [a-2-1.noarch c-2-1.x86_64 d-2-1.noarch k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 noarch
#>=Sup: (d - cap1)
#>=Pkg: a 3 1 noarch
#>=Prv: cap3 = 2
#>=Pkg: c 2 1 x86_64
#>=Req: k <= 1
#>=Prv: cap1 = 2
#>=Pkg: d 2 1 noarch
#>=Req: (/usr/bin/x <UNLESS> c <ELSE> cap1 >= 2)
#>=Pkg: k 1 1 x86_64
#>=Rec: cap3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof d-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-3-1.noarch@available
#>install c-2-1.x86_64@available
#>install d-2-1.noarch@available
#>install k-1-1.x86_64@available
