# TestRandomAgainstDNF generator=stress seed=155 weak=true: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [g-2-1.noarch l-3-1.x86_64]
# slipway:  [l-3-1.x86_64]
# full repository: dnf [a-2-1.x86_64 d-1-1.noarch g-2-1.noarch i-2-1.x86_64 k-2-1.x86_64 l-3-1.x86_64], slipway [a-2-1.x86_64 d-1-1.noarch l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: g 2 1 noarch
#>=Req: cap2 >= 1
#>=Pkg: l 3 1 x86_64
#>=Rec: (/etc/y <UNLESS> g >= 2 <ELSE> l)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof l-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install g-2-1.noarch@available
#>install l-3-1.x86_64@available
