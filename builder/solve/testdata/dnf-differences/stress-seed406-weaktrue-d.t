# TestRandomAgainstDNF generator=stress seed=406 weak=true: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [c-2-1.noarch d-1-1.x86_64 j-1-1.x86_64 l-2-1.noarch]
# slipway:  [b-2-1.x86_64 c-2-1.noarch d-1-1.x86_64 j-1-1.x86_64 l-2-1.noarch]
# full repository: dnf [c-2-1.noarch d-1-1.x86_64 e-1-1.x86_64 g-3-1.x86_64 i-1-1.x86_64 j-1-1.x86_64 l-2-1.noarch], slipway [b-1-1.x86_64 c-2-1.noarch d-1-1.x86_64 e-1-1.x86_64 g-3-1.x86_64 i-1-1.x86_64 j-1-1.x86_64 l-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 x86_64
#>=Enh: l
#>=Pkg: c 2 1 noarch
#>=Prv: cap2 = 2
#>=Pkg: d 1 1 x86_64
#>=Req: /etc/y
#>=Req: (cap2 <UNLESS> k <ELSE> b)
#>=Pkg: j 1 1 x86_64
#>=Req: l
#>=Prv: /etc/y
#>=Pkg: k 1 1 noarch
#>=Pkg: l 2 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof d-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-2-1.noarch@available
#>install d-1-1.x86_64@available
#>install j-1-1.x86_64@available
#>install l-2-1.noarch@available
