# TestRandomAgainstDNF generator=plain seed=139 weak=true: dnf install "k", reduced
# dnf (and testsolv given dnf's job, this case): [d-1-1.x86_64 e-1-1.x86_64 i-3-1.x86_64 k-2-1.x86_64]
# slipway:  [b-2-1.x86_64 d-1-1.x86_64 i-3-1.x86_64 k-2-1.x86_64]
# full repository: dnf [d-1-1.x86_64 e-1-1.x86_64 i-3-1.x86_64 k-2-1.x86_64], slipway [a-1-1.noarch b-2-1.x86_64 d-1-1.x86_64 i-3-1.x86_64 k-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 x86_64
#>=Prv: cap2 = 2
#>=Pkg: d 1 1 x86_64
#>=Req: cap2
#>=Pkg: e 1 1 x86_64
#>=Prv: cap2 = 3
#>=Pkg: e 2 1 x86_64
#>=Pkg: i 3 1 x86_64
#>=Req: d
#>=Sup: k
#>=Pkg: k 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof k-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install d-1-1.x86_64@available
#>install e-1-1.x86_64@available
#>install i-3-1.x86_64@available
#>install k-2-1.x86_64@available
