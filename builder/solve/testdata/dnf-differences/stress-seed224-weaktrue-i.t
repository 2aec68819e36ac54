# TestRandomAgainstDNF generator=stress seed=224 weak=true: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [i-3-1.x86_64]
# slipway:  [i-3-1.x86_64 j-2-1.noarch]
# full repository: dnf [e-1-1.x86_64 f-2-1.x86_64 g-3-1.x86_64 i-3-1.x86_64 k-2-1.x86_64], slipway [e-1-1.x86_64 f-2-1.x86_64 g-3-1.x86_64 i-3-1.x86_64 j-2-1.noarch k-2-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: i 3 1 x86_64
#>=Rec: (l < 1 <UNLESS> /usr/bin/x <ELSE> cap2 = 3)
#>=Pkg: j 2 1 noarch
#>=Prv: cap2 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof i-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install i-3-1.x86_64@available
