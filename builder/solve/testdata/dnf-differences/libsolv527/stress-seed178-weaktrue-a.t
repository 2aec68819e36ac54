# TestRandomAgainstDNF generator=stress seed=178 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.x86_64 l-1-1.x86_64]
# slipway:  [a-2-1.x86_64]
# full repository: dnf [a-2-1.x86_64 i-2-1.noarch k-1-1.noarch], slipway [a-2-1.x86_64 b-2-1.x86_64 c-1-1.x86_64 d-3-1.x86_64 e-1-1.x86_64 g-1-1.x86_64 i-2-1.noarch k-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Prv: cap1 = 3
#>=Rec: (/etc/y <UNLESS> /usr/bin/x <ELSE> cap1)
#>=Pkg: l 1 1 x86_64
#>=Req: f
#>=Prv: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.x86_64@available
#>install l-1-1.x86_64@available
