# TestRandomAgainstDNF generator=stress seed=296 weak=true: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [d-1-1.noarch]
# slipway:  [d-1-1.noarch h-2-1.noarch]
# full repository: dnf [d-1-1.noarch], slipway [d-1-1.noarch h-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 1 1 noarch
#>=Rec: (cap1 <UNLESS> h <ELSE> e > 2)
#>=Pkg: h 2 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof d-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install d-1-1.noarch@available
