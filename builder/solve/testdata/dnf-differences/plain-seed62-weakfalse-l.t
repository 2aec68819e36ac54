# TestRandomAgainstDNF generator=plain seed=62 weak=false: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.noarch e-2-1.noarch i-1-1.x86_64 l-3-1.x86_64]
# slipway:  [e-2-1.noarch h-1-1.noarch i-1-1.x86_64 l-3-1.x86_64]
# full repository: dnf [a-2-1.noarch e-2-1.noarch i-1-1.x86_64 l-3-1.x86_64], slipway [e-2-1.noarch h-1-1.noarch i-1-1.x86_64 l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 noarch
#>=Prv: cap2 = 1
#>=Sup: h
#>=Pkg: b 1 1 noarch
#>=Req: (j & b)
#>=Prv: cap2 = 3
#>=Pkg: e 2 1 noarch
#>=Req: (cap2 <UNLESS> d < 3)
#>=Rec: b <= 3
#>=Prv: /etc/y
#>=Pkg: h 1 1 noarch
#>=Prv: cap2 = 3
#>=Pkg: i 1 1 x86_64
#>=Req: /etc/y
#>=Prv: cap1 = 3
#>=Pkg: l 3 1 x86_64
#>=Req: cap1 >= 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof l-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.noarch@available
#>install e-2-1.noarch@available
#>install i-1-1.x86_64@available
#>install l-3-1.x86_64@available
