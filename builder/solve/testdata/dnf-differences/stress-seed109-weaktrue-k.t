# TestRandomAgainstDNF generator=stress seed=109 weak=true: dnf install "k", reduced
# dnf (and testsolv given dnf's job, this case): [c-3-1.x86_64 k-2-1.x86_64]
# slipway:  [c-2-1.x86_64 k-2-1.x86_64]
# full repository: dnf [c-3-1.x86_64 i-2-1.x86_64 k-2-1.x86_64], slipway [a-2-1.x86_64 c-2-1.x86_64 f-2-1.x86_64 i-2-1.x86_64 k-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 2 1 x86_64
#>=Sup: (/etc/y <IF> cap1 <ELSE> k)
#>=Pkg: c 3 1 x86_64
#>=Pkg: k 2 1 x86_64
#>=Rec: c
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof k-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-3-1.x86_64@available
#>install k-2-1.x86_64@available
