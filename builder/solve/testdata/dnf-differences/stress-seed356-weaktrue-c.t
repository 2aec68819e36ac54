# TestRandomAgainstDNF generator=stress seed=356 weak=true: dnf install "c", reduced
# dnf (and testsolv given dnf's job, this case): [c-2-1.x86_64]
# slipway:  [a-2-1.x86_64 c-2-1.x86_64]
# full repository: dnf [c-2-1.x86_64 f-1-1.x86_64], slipway [c-2-1.x86_64 i-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Prv: /etc/y
#>=Pkg: c 2 1 x86_64
#>=Rec: ((f & /etc/y) <UNLESS> /usr/bin/x)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof c-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-2-1.x86_64@available
