# TestRandomAgainstDNF generator=plain seed=210 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.x86_64 k-1-1.noarch]
# slipway:  [a-2-1.x86_64 e-1-1.x86_64]
# full repository: dnf [a-2-1.x86_64 k-1-1.noarch], slipway [a-2-1.x86_64 b-1-1.x86_64 e-1-1.x86_64 g-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Rec: cap3 < 3
#>=Pkg: e 1 1 x86_64
#>=Prv: cap3 = 1
#>=Pkg: k 1 1 noarch
#>=Prv: cap3 = 2
#>=Pkg: k 2 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.x86_64@available
#>install k-1-1.noarch@available
