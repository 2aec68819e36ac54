# TestRandomAgainstDNF generator=stress seed=55 weak=true: dnf install "h", reduced
# dnf (and testsolv given dnf's job, this case): [b-1-1.noarch h-2-1.x86_64]
# slipway:  [b-1-1.noarch h-2-1.x86_64 l-3-1.noarch]
# full repository: dnf [b-1-1.noarch c-1-1.x86_64 h-2-1.x86_64 i-3-1.x86_64 j-1-1.x86_64], slipway [b-1-1.noarch c-1-1.x86_64 h-2-1.x86_64 j-1-1.x86_64 l-3-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 noarch
#>=Rec: (k <UNLESS> l <ELSE> f >= 3)
#>=Pkg: h 2 1 x86_64
#>=Req: b
#>=Pkg: l 3 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof h-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-1-1.noarch@available
#>install h-2-1.x86_64@available
