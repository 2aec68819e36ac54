# TestRandomAgainstDNF generator=stress seed=61 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.noarch c-2-1.x86_64 d-1-1.x86_64 g-2-1.noarch h-3-1.x86_64 i-1-1.x86_64]
# slipway:  [b-2-1.noarch e-2-1.noarch g-2-1.noarch h-3-1.x86_64 i-1-1.x86_64]
# full repository: dnf [b-2-1.noarch c-2-1.x86_64 d-1-1.x86_64 g-2-1.noarch h-3-1.x86_64 i-1-1.x86_64], slipway [b-2-1.noarch e-2-1.noarch g-2-1.noarch h-3-1.x86_64 i-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 noarch
#>=Req: cap2
#>=Pkg: c 2 1 x86_64
#>=Prv: cap2 = 2
#>=Pkg: d 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: e 2 1 noarch
#>=Prv: cap2 = 3
#>=Pkg: g 2 1 noarch
#>=Req: b
#>=Req: h
#>=Prv: cap1 = 3
#>=Pkg: h 3 1 x86_64
#>=Rec: i
#>=Sug: e
#>=Pkg: i 1 1 x86_64
#>=Rec: (cap1 <UNLESS> c <ELSE> /usr/bin/x)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install b-2-1.noarch@available
#>install c-2-1.x86_64@available
#>install d-1-1.x86_64@available
#>install g-2-1.noarch@available
#>install h-3-1.x86_64@available
#>install i-1-1.x86_64@available
