# TestRandomAgainstDNF generator=stress seed=335 weak=true: dnf install "j", reduced
# dnf (and testsolv given dnf's job, this case): [j-1-1.noarch]
# slipway:  [c-3-1.x86_64 j-1-1.noarch]
# full repository: dnf [j-1-1.noarch], slipway [a-2-1.x86_64 c-3-1.x86_64 e-2-1.x86_64 i-3-1.x86_64 j-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: c 3 1 x86_64
#>=Prv: /etc/y
#>=Pkg: j 1 1 noarch
#>=Rec: (/etc/y & cap2 <= 3)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof j-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install j-1-1.noarch@available
