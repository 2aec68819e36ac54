# TestRandomAgainstDNF generator=stress seed=78 weak=true: dnf install "f", reduced
# dnf (and testsolv given dnf's job, this case): [d-2-1.x86_64 f-1-1.x86_64]
# slipway:  [d-2-1.x86_64 e-1-1.x86_64 f-1-1.x86_64]
# full repository: dnf [d-2-1.x86_64 f-1-1.x86_64 i-3-1.x86_64 j-1-1.noarch], slipway [d-2-1.x86_64 e-1-1.x86_64 f-1-1.x86_64 i-3-1.x86_64 j-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 2 1 x86_64
#>=Rec: (e & k > 1)
#>=Pkg: e 1 1 x86_64
#>=Pkg: f 1 1 x86_64
#>=Rec: (d >= 2 <UNLESS> cap1 < 3 <ELSE> /usr/bin/x)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof f-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install d-2-1.x86_64@available
#>install f-1-1.x86_64@available
