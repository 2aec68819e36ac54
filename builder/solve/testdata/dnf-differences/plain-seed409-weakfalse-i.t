# TestRandomAgainstDNF generator=plain seed=409 weak=false: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [d-2-1.x86_64 i-2-1.noarch]
# slipway:  [f-2-1.x86_64 i-2-1.noarch]
# full repository: dnf [d-2-1.x86_64 i-2-1.noarch k-2-1.x86_64], slipway [f-2-1.x86_64 i-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 2 1 x86_64
#>=Prv: cap2 = 2
#>=Pkg: f 2 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: i 2 1 noarch
#>=Req: (cap1 | cap2)
#>=Pkg: l 1 1 noarch
#>=Req: (i + cap2)
#>=Prv: cap2 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof i-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install d-2-1.x86_64@available
#>install i-2-1.noarch@available
