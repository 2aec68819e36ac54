# TestRandomAgainstDNF generator=plain seed=27 weak=true: dnf install "b", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.noarch g-3-1.x86_64]
# slipway:  [b-2-1.noarch j-1-1.x86_64]
# full repository: dnf [b-2-1.noarch f-1-1.noarch g-3-1.x86_64], slipway [b-2-1.noarch j-1-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 noarch
#>=Rec: g
#>=Pkg: g 3 1 x86_64
#>=Obs: j
#>=Pkg: j 1 1 x86_64
#>=Sup: b
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof b-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install b-2-1.noarch@available
#>install g-3-1.x86_64@available
