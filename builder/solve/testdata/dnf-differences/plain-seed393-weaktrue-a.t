# TestRandomAgainstDNF generator=plain seed=393 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-3-1.noarch b-2-1.x86_64]
# slipway:  [a-3-1.noarch d-1-1.noarch]
# full repository: dnf [a-3-1.noarch b-2-1.x86_64], slipway [a-3-1.noarch b-1-1.noarch c-3-1.x86_64 d-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 3 1 noarch
#>=Rec: b
#>=Pkg: b 2 1 x86_64
#>=Obs: d
#>=Pkg: d 1 1 noarch
#>=Sup: a
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-3-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-3-1.noarch@available
#>install b-2-1.x86_64@available
