# TestRandomAgainstDNF generator=stress seed=18 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.x86_64 i-1-1.x86_64]
# slipway:  [a-1-1.x86_64 c-1-1.x86_64 i-1-1.x86_64]
# full repository: dnf [a-1-1.x86_64 i-1-1.x86_64 j-2-1.noarch], slipway [a-1-1.x86_64 b-1-1.noarch g-1-1.x86_64 i-1-1.x86_64 j-2-1.noarch k-1-1.x86_64 l-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Req: cap1
#>=Pkg: c 1 1 x86_64
#>=Prv: cap1 = 2
#>=Pkg: i 1 1 x86_64
#>=Prv: cap1 = 1
#>=Sup: a
#>=Pkg: i 3 1 noarch
#>=Req: (k <UNLESS> l <ELSE> d)
#>=Prv: cap1 = 3
#>=Rec: c
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-1-1.x86_64@available
#>install i-1-1.x86_64@available
