# TestRandomAgainstDNF generator=stress seed=206 weak=true: dnf install "g", reduced
# dnf (and testsolv given dnf's job, this case): [b-1-1.noarch c-1-1.noarch g-1-1.noarch j-1-1.x86_64 k-1-1.x86_64]
# slipway:  [c-1-1.noarch g-1-1.noarch j-2-1.x86_64 k-1-1.x86_64]
# full repository: dnf [b-1-1.noarch c-1-1.noarch g-1-1.noarch h-1-1.x86_64 j-1-1.x86_64 k-1-1.x86_64], slipway [c-1-1.noarch g-1-1.noarch h-1-1.x86_64 j-2-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 noarch
#>=Req: cap2
#>=Sup: c
#>=Pkg: c 1 1 noarch
#>=Req: k
#>=Sup: g
#>=Pkg: g 1 1 noarch
#>=Pkg: j 1 1 x86_64
#>=Prv: cap2 = 3
#>=Pkg: j 2 1 x86_64
#>=Pkg: k 1 1 x86_64
#>=Rec: j
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof g-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install b-1-1.noarch@available
#>install c-1-1.noarch@available
#>install g-1-1.noarch@available
#>install j-1-1.x86_64@available
#>install k-1-1.x86_64@available
