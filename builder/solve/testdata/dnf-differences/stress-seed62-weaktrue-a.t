# TestRandomAgainstDNF generator=stress seed=62 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.noarch e-1-1.x86_64 k-2-1.x86_64]
# slipway:  [a-2-1.noarch c-2-1.x86_64 g-2-1.x86_64 k-2-1.x86_64]
# full repository: dnf [a-2-1.noarch e-1-1.x86_64 k-2-1.x86_64], slipway [a-2-1.noarch c-2-1.x86_64 g-2-1.x86_64 k-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 noarch
#>=Pkg: c 2 1 x86_64
#>=Pkg: e 1 1 x86_64
#>=Obs: c
#>=Sup: (i <= 1 | /usr/bin/x)
#>=Pkg: g 2 1 x86_64
#>=Req: c
#>=Pkg: k 2 1 x86_64
#>=Rec: (i <= 1 <IF> b >= 3 <ELSE> g)
#>=Sup: a
#>=Prv: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.noarch@available
#>install e-1-1.x86_64@available
#>install k-2-1.x86_64@available
