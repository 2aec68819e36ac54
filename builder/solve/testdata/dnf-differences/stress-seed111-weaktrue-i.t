# TestRandomAgainstDNF generator=stress seed=111 weak=true: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [i-1-1.noarch]
# slipway:  [d-1-1.noarch i-1-1.noarch]
# full repository: dnf [i-1-1.noarch], slipway [d-1-1.noarch i-1-1.noarch l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 1 1 noarch
#>=Pkg: i 1 1 noarch
#>=Rec: (d & j >= 3)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof i-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install i-1-1.noarch@available
