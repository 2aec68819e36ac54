# TestRandomAgainstDNF generator=stress seed=7 weak=true: dnf install "b", reduced
# dnf (and testsolv given dnf's job, this case): [b-3-1.x86_64 c-1-1.noarch d-3-1.x86_64]
# slipway:  [b-3-1.x86_64 c-1-1.noarch d-3-1.x86_64 k-1-1.x86_64]
# full repository: dnf [b-3-1.x86_64 c-1-1.noarch d-3-1.x86_64 g-3-1.x86_64 i-1-1.noarch j-3-1.noarch l-2-1.x86_64], slipway [b-3-1.x86_64 c-1-1.noarch d-3-1.x86_64 f-1-1.noarch i-3-1.noarch j-3-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 3 1 x86_64
#>=Req: cap1 < 2
#>=Req: cap2
#>=Pkg: c 1 1 noarch
#>=Req: d
#>=Prv: cap1 = 1
#>=Rec: i
#>=Pkg: d 2 1 noarch
#>=Pkg: d 3 1 x86_64
#>=Prv: cap2 = 2
#>=Pkg: i 3 1 noarch
#>=Prv: cap2 = 1
#>=Con: ((d | b) <UNLESS> f)
#>=Pkg: k 1 1 x86_64
#>=Prv: cap2 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof b-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-3-1.x86_64@available
#>install c-1-1.noarch@available
#>install d-3-1.x86_64@available
