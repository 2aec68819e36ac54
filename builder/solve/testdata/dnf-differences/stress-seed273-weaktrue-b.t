# TestRandomAgainstDNF generator=stress seed=273 weak=true: dnf install "b", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.noarch i-1-1.x86_64 l-2-1.x86_64]
# slipway:  [a-2-1.x86_64 b-2-1.noarch i-1-1.x86_64 l-2-1.x86_64]
# full repository: dnf [b-2-1.noarch i-1-1.x86_64 l-2-1.x86_64], slipway [a-2-1.x86_64 b-2-1.noarch i-1-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Pkg: b 2 1 noarch
#>=Pkg: i 1 1 x86_64
#>=Req: l
#>=Sup: (b | cap1)
#>=Pkg: l 2 1 x86_64
#>=Rec: (a & cap1)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof b-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install b-2-1.noarch@available
#>install i-1-1.x86_64@available
#>install l-2-1.x86_64@available
