# TestRandomAgainstDNF generator=stress seed=254 weak=false: dnf install "e", reduced
# dnf (and testsolv given dnf's job, this case): [e-1-1.x86_64 f-2-1.x86_64 l-1-1.x86_64]
# slipway:  [e-1-1.x86_64 f-1-1.noarch i-2-1.x86_64 l-2-1.noarch]
# full repository: dnf [d-1-1.x86_64 e-1-1.x86_64 f-2-1.x86_64 l-1-1.x86_64], slipway [e-1-1.x86_64 f-1-1.noarch g-2-1.x86_64 i-2-1.x86_64 j-1-1.noarch l-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Req: ((l & f) <UNLESS> e > 2)
#>=Pkg: f 1 1 noarch
#>=Pkg: f 2 1 x86_64
#>=Prv: cap3 = 2
#>=Con: (cap3 <IF> i <ELSE> cap3 = 3)
#>=Pkg: i 2 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: l 1 1 x86_64
#>=Pkg: l 2 1 noarch
#>=Req: cap1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof e-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install e-1-1.x86_64@available
#>install f-2-1.x86_64@available
#>install l-1-1.x86_64@available
