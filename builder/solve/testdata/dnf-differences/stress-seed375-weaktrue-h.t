# TestRandomAgainstDNF generator=stress seed=375 weak=true: dnf install "h", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.noarch f-2-1.noarch h-1-1.noarch j-3-1.x86_64]
# slipway:  [a-1-1.noarch c-1-1.x86_64 h-1-1.noarch j-3-1.x86_64]
# full repository: dnf [a-1-1.noarch f-2-1.noarch h-1-1.noarch j-3-1.x86_64 k-3-1.x86_64], slipway [a-1-1.noarch c-1-1.x86_64 h-1-1.noarch j-3-1.x86_64 k-3-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 noarch
#>=Pkg: c 1 1 x86_64
#>=Prv: cap2 = 2
#>=Con: f
#>=Sup: (f - cap3)
#>=Pkg: f 2 1 noarch
#>=Prv: cap2 = 3
#>=Pkg: h 1 1 noarch
#>=Req: (f > 2 <IF> i <ELSE> a)
#>=Pkg: j 3 1 x86_64
#>=Rec: (k | cap2)
#>=Sup: (a < 2 - cap3)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof h-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-1-1.noarch@available
#>install f-2-1.noarch@available
#>install h-1-1.noarch@available
#>install j-3-1.x86_64@available
