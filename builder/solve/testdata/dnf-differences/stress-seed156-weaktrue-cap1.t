# TestRandomAgainstDNF generator=stress seed=156 weak=true: dnf install "cap1", reduced
# dnf (and testsolv given dnf's job, this case): [g-2-1.x86_64]
# slipway:  [a-1-1.x86_64 b-2-1.x86_64 c-1-1.x86_64 d-3-1.x86_64]
# full repository: dnf [b-2-1.x86_64 g-2-1.x86_64], slipway [a-1-1.x86_64 b-2-1.x86_64 c-1-1.x86_64 d-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Rec: (l | d >= 3)
#>=Pkg: b 2 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: c 1 1 x86_64
#>=Prv: cap1 = 2
#>=Rec: (a <IF> /usr/bin/x <ELSE> g)
#>=Pkg: d 3 1 x86_64
#>=Pkg: g 2 1 x86_64
#>=Prv: cap1 = 2
#>=Obs: d
#>=Pkg: i 2 1 x86_64
#>=Req: /etc/y
#>=Prv: cap1 = 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap1
result transaction,problems <inline>
#>install g-2-1.x86_64@available
