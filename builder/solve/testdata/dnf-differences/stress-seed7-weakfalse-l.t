# TestRandomAgainstDNF generator=stress seed=7 weak=false: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [b-3-1.x86_64 c-1-1.noarch d-3-1.x86_64 g-3-1.x86_64 l-2-1.x86_64]
# slipway:  [b-3-1.x86_64 c-1-1.noarch d-3-1.x86_64 f-2-1.x86_64 g-3-1.x86_64 l-2-1.x86_64]
# full repository: dnf [b-3-1.x86_64 c-1-1.noarch d-3-1.x86_64 g-3-1.x86_64 j-3-1.noarch l-2-1.x86_64], slipway [b-3-1.x86_64 c-1-1.noarch d-3-1.x86_64 g-3-1.x86_64 j-3-1.noarch k-1-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 3 1 x86_64
#>=Req: cap1 < 2
#>=Pkg: c 1 1 noarch
#>=Req: d
#>=Prv: cap1 = 1
#>=Pkg: d 2 1 noarch
#>=Pkg: d 3 1 x86_64
#>=Prv: cap2 = 2
#>=Pkg: f 2 1 x86_64
#>=Prv: cap2 = 2
#>=Pkg: g 3 1 x86_64
#>=Req: cap2
#>=Pkg: l 2 1 x86_64
#>=Req: (b >= 3 <IF> g <ELSE> k > 1)
#>=Sug: f
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof l-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-3-1.x86_64@available
#>install c-1-1.noarch@available
#>install d-3-1.x86_64@available
#>install g-3-1.x86_64@available
#>install l-2-1.x86_64@available
