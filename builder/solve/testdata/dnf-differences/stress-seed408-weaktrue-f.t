# TestRandomAgainstDNF generator=stress seed=408 weak=true: dnf install "f", reduced
# dnf (and testsolv given dnf's job, this case): [f-2-1.noarch]
# slipway:  [f-2-1.noarch g-2-1.noarch]
# full repository: dnf [d-1-1.x86_64 f-2-1.noarch g-1-1.noarch], slipway [f-2-1.noarch l-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 2 1 noarch
#>=Rec: (cap3 <UNLESS> /usr/bin/x <ELSE> /etc/y)
#>=Pkg: g 2 1 noarch
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof f-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install f-2-1.noarch@available
