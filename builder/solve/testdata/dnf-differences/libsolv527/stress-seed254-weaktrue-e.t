# TestRandomAgainstDNF generator=stress seed=254 weak=true: dnf install "e", reduced
# dnf (and testsolv given dnf's job, this case): [e-1-1.x86_64 f-1-1.noarch h-2-1.x86_64]
# slipway:  [e-1-1.x86_64 f-1-1.noarch]
# full repository: dnf [d-1-1.x86_64 e-1-1.x86_64 f-2-1.x86_64 h-2-1.x86_64 j-1-1.noarch l-1-1.x86_64], slipway [d-1-1.x86_64 e-1-1.x86_64 f-2-1.x86_64 j-1-1.noarch l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: e 1 1 x86_64
#>=Rec: (b <UNLESS> h <ELSE> f)
#>=Pkg: f 1 1 noarch
#>=Pkg: h 2 1 x86_64
#>=Con: (l = 2 <IF> a <= 3)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof e-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install e-1-1.x86_64@available
#>install f-1-1.noarch@available
#>install h-2-1.x86_64@available
