# TestRandomAgainstDNF generator=stress seed=14 weak=false: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [d-2-1.x86_64 j-2-1.x86_64]
# slipway:  [f-2-1.x86_64]
# full repository: dnf [d-2-1.x86_64 i-2-1.noarch j-2-1.x86_64], slipway [a-1-1.x86_64 b-2-1.x86_64 c-1-1.x86_64 f-3-1.x86_64 i-2-1.noarch j-2-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 x86_64
#>=Pkg: c 1 1 x86_64
#>=Req: f
#>=Pkg: d 2 1 x86_64
#>=Prv: cap1 = 3
#>=Sup: j
#>=Pkg: f 2 1 x86_64
#>=Prv: cap2 = 2
#>=Pkg: f 3 1 x86_64
#>=Con: (cap1 = 1 <IF> a)
#>=Pkg: j 2 1 x86_64
#>=Req: (b <IF> l <ELSE> cap1)
#>=Prv: cap2 = 2
#>=Pkg: l 2 1 x86_64
#>=Req: c <= 1
#>=Sup: (/usr/bin/x <IF> k)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install provides cap2 >= 2
result transaction,problems <inline>
#>install d-2-1.x86_64@available
#>install j-2-1.x86_64@available
