# TestRandomAgainstDNF generator=stress seed=329 weak=true: dnf install "f", reduced
# dnf (and testsolv given dnf's job, this case): [f-3-1.noarch k-3-1.noarch]
# slipway:  [f-3-1.noarch]
# full repository: dnf [f-3-1.noarch g-1-1.x86_64 l-2-1.noarch], slipway [f-3-1.noarch g-1-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 3 1 noarch
#>=Rec: (f <IF> k <ELSE> l)
#>=Pkg: k 3 1 noarch
#>=Req: (e < 2 <IF> c >= 3 <ELSE> /etc/y)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof f-3-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install f-3-1.noarch@available
#>install k-3-1.noarch@available
