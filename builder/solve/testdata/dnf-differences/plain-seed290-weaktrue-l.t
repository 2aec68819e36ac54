# TestRandomAgainstDNF generator=plain seed=290 weak=true: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [f-3-1.x86_64 l-2-1.noarch]
# slipway:  [h-1-1.x86_64 l-2-1.noarch]
# full repository: dnf [f-3-1.x86_64 g-2-1.x86_64 i-1-1.x86_64 l-2-1.noarch], slipway [h-1-1.x86_64 l-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 3 1 noarch
#>=Req: j
#>=Prv: /etc/y
#>=Pkg: f 3 1 x86_64
#>=Prv: /etc/y
#>=Pkg: h 1 1 x86_64
#>=Sup: d
#>=Prv: /etc/y
#>=Pkg: l 2 1 noarch
#>=Req: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof l-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install f-3-1.x86_64@available
#>install l-2-1.noarch@available
