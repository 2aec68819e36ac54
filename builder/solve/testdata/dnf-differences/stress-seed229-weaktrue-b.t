# TestRandomAgainstDNF generator=stress seed=229 weak=true: dnf install "b", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.noarch]
# slipway:  [b-2-1.noarch j-1-1.noarch]
# full repository: dnf [b-2-1.noarch c-1-1.x86_64 e-1-1.x86_64 g-1-1.x86_64 j-1-1.noarch l-1-1.x86_64], slipway [b-2-1.noarch c-2-1.x86_64 e-1-1.x86_64 g-1-1.x86_64 j-1-1.noarch k-3-1.x86_64 l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 noarch
#>=Rec: (/usr/bin/x <UNLESS> l <ELSE> j)
#>=Pkg: j 1 1 noarch
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof b-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install b-2-1.noarch@available
