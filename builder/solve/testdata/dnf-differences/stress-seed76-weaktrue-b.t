# TestRandomAgainstDNF generator=stress seed=76 weak=true: dnf install "b", reduced
# dnf (and testsolv given dnf's job, this case): [b-1-1.x86_64 k-1-1.x86_64]
# slipway:  [b-1-1.x86_64 i-1-1.x86_64 k-1-1.x86_64]
# full repository: dnf [b-1-1.x86_64 d-2-1.x86_64 j-2-1.noarch k-1-1.x86_64], slipway [b-1-1.x86_64 d-2-1.x86_64 i-1-1.x86_64 j-2-1.noarch k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Rec: (cap3 <UNLESS> j)
#>=Pkg: i 1 1 x86_64
#>=Pkg: k 1 1 x86_64
#>=Prv: cap3 = 1
#>=Rec: (e <UNLESS> i <ELSE> cap3 > 1)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof b-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-1-1.x86_64@available
#>install k-1-1.x86_64@available
