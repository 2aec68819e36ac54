# TestRandomAgainstDNF generator=stress seed=402 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.noarch d-2-1.noarch l-2-1.noarch]
# slipway:  [a-1-1.noarch d-2-1.noarch h-1-1.x86_64]
# full repository: dnf [a-1-1.noarch b-3-1.x86_64 c-3-1.x86_64 g-2-1.x86_64 i-1-1.x86_64 l-2-1.noarch], slipway [a-1-1.noarch b-3-1.x86_64 c-3-1.x86_64 h-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 noarch
#>=Req: (h <UNLESS> l < 3 <ELSE> /etc/y)
#>=Pkg: d 2 1 noarch
#>=Prv: /etc/y
#>=Pkg: h 1 1 x86_64
#>=Pkg: h 2 1 x86_64
#>=Req: cap1 < 2
#>=Pkg: l 2 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-1-1.noarch@available
#>install d-2-1.noarch@available
#>install l-2-1.noarch@available
