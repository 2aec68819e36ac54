# TestRandomAgainstDNF generator=stress seed=371 weak=true: dnf install "j", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.x86_64 d-2-1.noarch j-1-1.x86_64]
# slipway:  [a-1-1.x86_64 d-1-1.x86_64 j-1-1.x86_64]
# full repository: dnf [a-1-1.x86_64 c-1-1.noarch d-2-1.noarch j-1-1.x86_64 k-2-1.x86_64], slipway [a-1-1.x86_64 c-1-1.noarch d-1-1.x86_64 j-1-1.x86_64 k-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Prv: cap2 = 1
#>=Pkg: d 1 1 x86_64
#>=Sup: a
#>=Pkg: d 2 1 noarch
#>=Pkg: j 1 1 x86_64
#>=Req: ((cap2 | a > 1) | e)
#>=Rec: d
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof j-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-1-1.x86_64@available
#>install d-2-1.noarch@available
#>install j-1-1.x86_64@available
