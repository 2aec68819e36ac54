# TestRandomAgainstDNF generator=stress seed=331 weak=true: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [b-3-1.x86_64 d-1-1.noarch i-1-1.x86_64 j-1-1.noarch]
# slipway:  [d-1-1.noarch i-1-1.x86_64 j-1-1.noarch]
# full repository: dnf [b-3-1.x86_64 d-1-1.noarch e-1-1.x86_64 h-1-1.x86_64 i-1-1.x86_64 j-1-1.noarch k-3-1.x86_64], slipway [d-1-1.noarch e-1-1.x86_64 i-1-1.x86_64 j-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 3 1 x86_64
#>=Req: a >= 2
#>=Pkg: d 1 1 noarch
#>=Req: j <= 3
#>=Pkg: i 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: j 1 1 noarch
#>=Rec: (g > 3 <UNLESS> b >= 3 <ELSE> /usr/bin/x)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof d-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install b-3-1.x86_64@available
#>install d-1-1.noarch@available
#>install i-1-1.x86_64@available
#>install j-1-1.noarch@available
