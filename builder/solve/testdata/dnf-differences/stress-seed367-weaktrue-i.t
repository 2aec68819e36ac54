# TestRandomAgainstDNF generator=stress seed=367 weak=true: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [i-3-1.x86_64 l-3-1.x86_64]
# slipway:  [g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64]
# full repository: dnf [g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64], slipway [a-1-1.x86_64 f-1-1.noarch g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: g 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: i 3 1 x86_64
#>=Pkg: l 3 1 x86_64
#>=Rec: (cap1 <UNLESS> k < 2 <ELSE> /usr/bin/x)
#>=Sup: i
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof i-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install i-3-1.x86_64@available
#>install l-3-1.x86_64@available
