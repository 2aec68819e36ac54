# TestRandomAgainstDNF generator=stress seed=143 weak=true: dnf install "j", reduced
# dnf (and testsolv given dnf's job, this case): [b-1-1.x86_64 j-2-1.x86_64]
# slipway:  [g-1-1.noarch j-2-1.x86_64]
# full repository: dnf [b-1-1.x86_64 c-1-1.noarch d-1-1.x86_64 j-2-1.x86_64 l-1-1.x86_64], slipway [d-1-1.x86_64 g-1-1.noarch j-2-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: b 3 1 x86_64
#>=Pkg: g 1 1 noarch
#>=Prv: /usr/bin/x
#>=Pkg: g 2 1 noarch
#>=Req: a <= 3
#>=Prv: /usr/bin/x
#>=Pkg: j 2 1 x86_64
#>=Req: (/usr/bin/x <UNLESS> e >= 3 <ELSE> k)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof j-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-1-1.x86_64@available
#>install j-2-1.x86_64@available
