# TestRandomAgainstDNF generator=stress seed=364 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.x86_64]
# slipway:  [a-1-1.x86_64 g-2-1.noarch]
# full repository: dnf [a-1-1.x86_64 c-2-1.x86_64 e-2-1.x86_64 g-2-1.noarch h-2-1.x86_64 i-1-1.x86_64 l-2-1.noarch], slipway [a-1-1.x86_64 c-2-1.x86_64 e-3-1.x86_64 g-2-1.noarch h-2-1.x86_64 i-1-1.x86_64 l-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Rec: (c & g)
#>=Pkg: g 2 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-1-1.x86_64@available
