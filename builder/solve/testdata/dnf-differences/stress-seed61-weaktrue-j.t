# TestRandomAgainstDNF generator=stress seed=61 weak=true: dnf install "j", reduced
# dnf (and testsolv given dnf's job, this case): [h-3-1.x86_64 i-1-1.x86_64 j-2-1.x86_64]
# slipway:  [c-3-1.x86_64 h-3-1.x86_64 i-1-1.x86_64 j-2-1.x86_64]
# full repository: dnf [a-1-1.noarch b-2-1.noarch c-2-1.x86_64 d-1-1.x86_64 g-2-1.noarch h-3-1.x86_64 i-1-1.x86_64 j-2-1.x86_64], slipway [a-1-1.noarch b-2-1.noarch c-1-1.x86_64 e-2-1.noarch h-3-1.x86_64 i-1-1.x86_64 j-2-1.x86_64 k-1-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 3 1 x86_64
#>=Pkg: h 3 1 x86_64
#>=Rec: i
#>=Sup: (k <IF> l <ELSE> j)
#>=Pkg: i 1 1 x86_64
#>=Rec: (cap1 <UNLESS> c <ELSE> /usr/bin/x)
#>=Pkg: j 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof j-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install h-3-1.x86_64@available
#>install i-1-1.x86_64@available
#>install j-2-1.x86_64@available
