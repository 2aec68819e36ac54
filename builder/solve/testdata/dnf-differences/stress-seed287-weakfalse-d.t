# TestRandomAgainstDNF generator=stress seed=287 weak=false: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [d-1-1.x86_64 f-1-1.noarch g-2-1.noarch h-1-1.noarch l-2-1.x86_64]
# slipway:  [d-1-1.x86_64 f-1-1.noarch g-2-1.noarch h-1-1.noarch k-1-1.x86_64 l-2-1.x86_64]
# full repository: dnf [d-1-1.x86_64 f-1-1.noarch g-2-1.noarch h-1-1.noarch l-2-1.x86_64], slipway [d-1-1.x86_64 f-1-1.noarch g-2-1.noarch h-1-1.noarch k-1-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 1 1 x86_64
#>=Req: cap1
#>=Req: f
#>=Pkg: f 1 1 noarch
#>=Req: cap3
#>=Pkg: g 2 1 noarch
#>=Req: l
#>=Prv: cap2 = 3
#>=Pkg: h 1 1 noarch
#>=Req: cap2
#>=Prv: cap1 = 3
#>=Pkg: k 1 1 x86_64
#>=Prv: cap3 = 2
#>=Enh: h
#>=Pkg: l 1 1 noarch
#>=Pkg: l 2 1 x86_64
#>=Prv: cap3 = 2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof d-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install d-1-1.x86_64@available
#>install f-1-1.noarch@available
#>install g-2-1.noarch@available
#>install h-1-1.noarch@available
#>install l-2-1.x86_64@available
