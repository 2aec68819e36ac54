# TestRandomAgainstDNF generator=plain seed=343 weak=false: dnf install "k", reduced
# dnf (and testsolv given dnf's job, this case): [e-1-1.x86_64 k-1-1.noarch]
# slipway:  [a-2-1.x86_64 k-1-1.noarch]
# full repository: dnf [c-1-1.noarch e-1-1.x86_64 f-1-1.x86_64 k-1-1.noarch], slipway [a-2-1.x86_64 c-1-1.noarch f-1-1.x86_64 k-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Prv: cap3 = 1
#>=Pkg: e 1 1 x86_64
#>=Prv: cap3 = 3
#>=Pkg: e 3 1 x86_64
#>=Pkg: k 1 1 noarch
#>=Req: cap3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof k-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install e-1-1.x86_64@available
#>install k-1-1.noarch@available
