# TestRandomAgainstDNF generator=stress seed=65 weak=true: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [d-2-1.noarch]
# slipway:  [d-2-1.noarch f-2-1.x86_64]
# full repository: dnf [a-2-1.noarch d-2-1.noarch k-2-1.x86_64], slipway [a-1-1.noarch d-2-1.noarch k-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: d 2 1 noarch
#>=Prv: cap2 = 2
#>=Rec: (k >= 2 <UNLESS> /etc/y <ELSE> cap1)
#>=Pkg: f 2 1 x86_64
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap2 >= 2
result transaction,problems <inline>
#>install d-2-1.noarch@available
