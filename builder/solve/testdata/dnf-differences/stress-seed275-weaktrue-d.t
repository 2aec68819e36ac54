# TestRandomAgainstDNF generator=stress seed=275 weak=true: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [d-1-1.noarch]
# slipway:  [d-1-1.noarch g-1-1.noarch]
# full repository: dnf [d-1-1.noarch f-2-1.x86_64], slipway [d-1-1.noarch f-2-1.x86_64 g-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 1 1 noarch
#>=Prv: cap1 = 2
#>=Pkg: g 1 1 noarch
#>=Sup: ((f > 2 & cap1) <IF> i < 1)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof d-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install d-1-1.noarch@available
