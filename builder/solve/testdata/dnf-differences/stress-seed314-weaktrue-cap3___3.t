# TestRandomAgainstDNF generator=stress seed=314 weak=true: dnf install "cap3 < 3", reduced
# dnf (and testsolv given dnf's job, this case): [b-2-1.noarch f-2-1.noarch]
# slipway:  [b-2-1.noarch e-3-1.x86_64 h-3-1.x86_64 i-2-1.x86_64]
# full repository: dnf [b-2-1.noarch f-2-1.noarch], slipway [a-3-1.x86_64 b-2-1.noarch e-3-1.x86_64 h-3-1.x86_64 i-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 2 1 noarch
#>=Prv: cap3 = 1
#>=Pkg: e 3 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: f 2 1 noarch
#>=Prv: cap3 = 1
#>=Con: (/usr/bin/x <IF> b)
#>=Sup: (e <UNLESS> k)
#>=Pkg: h 3 1 x86_64
#>=Prv: cap2 = 3
#>=Rec: ((cap3 | k) <IF> j)
#>=Pkg: i 2 1 x86_64
#>=Req: (cap2 = 3 & /usr/bin/x)
#>=Sup: b
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap3 < 3
result transaction,problems <inline>
#>install b-2-1.noarch@available
#>install f-2-1.noarch@available
