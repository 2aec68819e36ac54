# TestRandomAgainstDNF generator=stress seed=14 weak=true: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.x86_64 d-3-1.noarch f-3-1.x86_64 i-2-1.noarch l-2-1.x86_64]
# slipway:  [a-2-1.x86_64 d-3-1.noarch f-3-1.x86_64 i-2-1.noarch l-1-1.x86_64]
# full repository: dnf [a-1-1.x86_64 b-2-1.x86_64 c-1-1.x86_64 d-3-1.noarch f-3-1.x86_64 i-2-1.noarch l-2-1.x86_64], slipway [a-2-1.x86_64 b-2-1.x86_64 d-3-1.noarch f-3-1.x86_64 i-2-1.noarch j-2-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Pkg: a 2 1 x86_64
#>=Req: /usr/bin/x
#>=Pkg: d 3 1 noarch
#>=Req: cap3
#>=Rec: l > 1
#>=Pkg: f 3 1 x86_64
#>=Con: (cap1 = 1 <IF> a)
#>=Sup: (i <IF> cap2 > 1)
#>=Pkg: i 2 1 noarch
#>=Prv: cap3 = 1
#>=Pkg: l 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: l 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof d-3-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-1-1.x86_64@available
#>install d-3-1.noarch@available
#>install f-3-1.x86_64@available
#>install i-2-1.noarch@available
#>install l-2-1.x86_64@available
