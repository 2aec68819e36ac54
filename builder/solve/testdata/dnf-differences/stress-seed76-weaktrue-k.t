# TestRandomAgainstDNF generator=stress seed=76 weak=true: dnf install "k", reduced
# dnf (and testsolv given dnf's job, this case): [k-1-1.x86_64]
# slipway:  [i-1-1.x86_64 k-1-1.x86_64]
# full repository: dnf [j-2-1.noarch k-1-1.x86_64], slipway [i-1-1.x86_64 j-2-1.noarch k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: i 1 1 x86_64
#>=Pkg: k 1 1 x86_64
#>=Rec: (e <UNLESS> i <ELSE> cap3 > 1)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof k-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install k-1-1.x86_64@available
