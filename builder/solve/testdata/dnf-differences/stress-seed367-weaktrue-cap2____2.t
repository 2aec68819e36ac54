# TestRandomAgainstDNF generator=stress seed=367 weak=true: dnf install "cap2 >= 2", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.x86_64 l-3-1.x86_64]
# slipway:  [a-1-1.x86_64 g-1-1.x86_64 l-3-1.x86_64]
# full repository: dnf [a-1-1.x86_64 g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64], slipway [a-1-1.x86_64 f-1-1.noarch g-1-1.x86_64 i-3-1.x86_64 l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Prv: cap2 = 2
#>=Rec: /etc/y
#>=Pkg: g 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: l 3 1 x86_64
#>=Rec: (cap1 <UNLESS> k < 2 <ELSE> /usr/bin/x)
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap2 >= 2
result transaction,problems <inline>
#>install a-1-1.x86_64@available
#>install l-3-1.x86_64@available
