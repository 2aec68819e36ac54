# TestRandomAgainstDNF generator=stress seed=275 weak=true: dnf install "f", reduced
# dnf (and testsolv given dnf's job, this case): [f-2-1.x86_64]
# slipway:  [f-2-1.x86_64 g-1-1.noarch]
# full repository: dnf [f-2-1.x86_64], slipway [f-2-1.x86_64 g-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 2 1 x86_64
#>=Prv: cap1 = 3
#>=Pkg: g 1 1 noarch
#>=Sup: ((f > 2 & cap1) <IF> i < 1)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof f-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install f-2-1.x86_64@available
