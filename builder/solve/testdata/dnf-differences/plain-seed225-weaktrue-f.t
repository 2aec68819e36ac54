# TestRandomAgainstDNF generator=plain seed=225 weak=true: dnf install "f", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.x86_64 f-1-1.noarch]
# slipway:  [f-1-1.noarch i-1-1.x86_64]
# full repository: dnf [c-1-1.x86_64 f-1-1.noarch], slipway [f-1-1.noarch i-1-1.x86_64 j-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 x86_64
#>=Prv: cap3 = 2
#>=Pkg: f 1 1 noarch
#>=Rec: cap3
#>=Pkg: i 1 1 x86_64
#>=Prv: cap3 = 2
#>=Pkg: i 2 1 noarch
#>=Req: a
#>=Prv: cap3 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof f-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install c-1-1.x86_64@available
#>install f-1-1.noarch@available
