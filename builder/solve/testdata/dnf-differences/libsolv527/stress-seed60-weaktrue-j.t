# TestRandomAgainstDNF generator=stress seed=60 weak=true: dnf install "j", reduced
# dnf (and testsolv given dnf's job, this case): [f-1-1.noarch j-1-1.x86_64 k-1-1.x86_64]
# slipway:  [f-1-1.noarch j-1-1.x86_64]
# full repository: dnf [f-1-1.noarch j-1-1.x86_64 k-1-1.x86_64], slipway [b-2-1.x86_64 f-1-1.noarch j-1-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 1 1 noarch
#>=Rec: (e > 1 <UNLESS> k < 2 <ELSE> /usr/bin/x)
#>=Sup: j
#>=Prv: /usr/bin/x
#>=Pkg: j 1 1 x86_64
#>=Pkg: k 1 1 x86_64
#>=Req: (/etc/y <IF> b <ELSE> e)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof j-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install f-1-1.noarch@available
#>install j-1-1.x86_64@available
#>install k-1-1.x86_64@available
