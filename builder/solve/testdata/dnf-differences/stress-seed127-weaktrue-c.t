# TestRandomAgainstDNF generator=stress seed=127 weak=true: dnf install "c", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.x86_64 f-1-1.noarch h-1-1.x86_64 j-1-1.x86_64]
# slipway:  [c-1-1.x86_64 f-1-1.noarch h-1-1.x86_64 j-2-1.x86_64]
# full repository: dnf [c-1-1.x86_64 e-1-1.x86_64 f-1-1.noarch h-1-1.x86_64 j-1-1.x86_64], slipway [c-1-1.x86_64 e-1-1.x86_64 f-1-1.noarch h-1-1.x86_64 j-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 1 1 x86_64
#>=Req: f
#>=Pkg: f 1 1 noarch
#>=Pkg: h 1 1 x86_64
#>=Sup: c
#>=Pkg: j 1 1 x86_64
#>=Sup: f
#>=Pkg: j 2 1 x86_64
#>=Sup: h
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof c-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-1-1.x86_64@available
#>install f-1-1.noarch@available
#>install h-1-1.x86_64@available
#>install j-1-1.x86_64@available
