# TestRandomAgainstDNF generator=plain seed=260 weak=true: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [b-1-1.x86_64 i-1-1.noarch l-2-1.x86_64]
# slipway:  [h-3-1.noarch i-1-1.noarch l-2-1.x86_64]
# full repository: dnf [b-1-1.x86_64 i-1-1.noarch l-2-1.x86_64], slipway [h-3-1.noarch i-1-1.noarch j-1-1.noarch l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Prv: cap2 = 3
#>=Pkg: b 2 1 x86_64
#>=Pkg: h 3 1 noarch
#>=Prv: cap2 = 2
#>=Pkg: i 1 1 noarch
#>=Req: (l & cap2 >= 2)
#>=Pkg: l 2 1 x86_64
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof i-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install b-1-1.x86_64@available
#>install i-1-1.noarch@available
#>install l-2-1.x86_64@available
