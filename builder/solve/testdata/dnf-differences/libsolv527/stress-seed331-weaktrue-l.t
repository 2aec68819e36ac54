# TestRandomAgainstDNF generator=stress seed=331 weak=true: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [b-3-1.x86_64 i-1-1.x86_64 j-1-1.noarch l-2-1.x86_64]
# slipway:  [i-1-1.x86_64 j-1-1.noarch l-2-1.x86_64]
# full repository: dnf [b-3-1.x86_64 e-1-1.x86_64 i-1-1.x86_64 j-1-1.noarch k-2-1.x86_64 l-2-1.x86_64], slipway [e-1-1.x86_64 i-1-1.x86_64 j-1-1.noarch k-2-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 3 1 x86_64
#>=Req: a >= 2
#>=Pkg: i 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: j 1 1 noarch
#>=Rec: (g > 3 <UNLESS> b >= 3 <ELSE> /usr/bin/x)
#>=Pkg: l 2 1 x86_64
#>=Req: j
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof l-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-3-1.x86_64@available
#>install i-1-1.x86_64@available
#>install j-1-1.noarch@available
#>install l-2-1.x86_64@available
