# TestRandomAgainstDNF generator=stress seed=392 weak=true: dnf install "b", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.x86_64]
# slipway:  [b-2-1.x86_64 e-2-1.x86_64]
# full repository: dnf [b-2-1.x86_64], slipway [b-2-1.x86_64 e-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 x86_64
#>=Pkg: e 2 1 x86_64
#>=Sup: ((/etc/y & b) <IF> h)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof b-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install b-2-1.x86_64@available
