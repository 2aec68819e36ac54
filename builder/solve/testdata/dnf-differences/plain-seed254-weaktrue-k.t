# TestRandomAgainstDNF generator=plain seed=254 weak=true: dnf install "k", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.x86_64 k-3-1.x86_64]
# slipway:  [f-1-1.x86_64 k-3-1.x86_64]
# full repository: dnf [b-2-1.x86_64 c-2-1.noarch k-3-1.x86_64], slipway [b-3-1.x86_64 f-1-1.x86_64 k-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: b 3 1 x86_64
#>=Pkg: f 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: f 2 1 x86_64
#>=Req: (cap2 > 2 + cap3)
#>=Prv: /usr/bin/x
#>=Pkg: k 3 1 x86_64
#>=Req: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof k-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-2-1.x86_64@available
#>install k-3-1.x86_64@available
