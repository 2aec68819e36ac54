# TestRandomAgainstDNF generator=stress seed=28 weak=true: dnf install "f", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.x86_64 c-1-1.x86_64 f-3-1.noarch]
# slipway:  [a-2-1.x86_64 c-2-1.x86_64 f-3-1.noarch]
# full repository: dnf [a-2-1.x86_64 c-1-1.x86_64 f-3-1.noarch g-1-1.noarch j-1-1.noarch], slipway [a-2-1.x86_64 c-2-1.x86_64 f-3-1.noarch g-1-1.noarch j-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Req: c
#>=Sup: f
#>=Pkg: c 1 1 x86_64
#>=Sup: f
#>=Pkg: c 2 1 x86_64
#>=Pkg: f 3 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof f-3-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.x86_64@available
#>install c-1-1.x86_64@available
#>install f-3-1.noarch@available
