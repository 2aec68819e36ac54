# TestRandomAgainstDNF generator=stress seed=293 weak=true: dnf install "f", reduced
# dnf (and testsolv given dnf's job, this case): [d-3-1.noarch f-2-1.noarch l-2-1.x86_64]
# slipway:  [f-2-1.noarch l-2-1.x86_64]
# full repository: dnf [d-3-1.noarch f-2-1.noarch i-1-1.x86_64 j-2-1.noarch], slipway [f-2-1.noarch i-1-1.x86_64 j-2-1.noarch l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 3 1 noarch
#>=Obs: l
#>=Pkg: f 2 1 noarch
#>=Rec: (d < 3 <IF> l <ELSE> cap1)
#>=Pkg: l 2 1 x86_64
#>=Rec: (d <UNLESS> g < 2)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof f-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install d-3-1.noarch@available
#>install f-2-1.noarch@available
#>install l-2-1.x86_64@available
