# TestRandomAgainstDNF generator=stress seed=240 weak=true: dnf install "d", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.x86_64 d-3-1.x86_64 h-2-1.x86_64]
# slipway:  [a-2-1.x86_64 d-3-1.x86_64 j-1-1.x86_64]
# full repository: dnf [a-2-1.x86_64 b-1-1.noarch d-3-1.x86_64 e-2-1.x86_64 j-2-1.noarch], slipway [a-1-1.noarch b-1-1.noarch d-3-1.x86_64 g-1-1.x86_64 j-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Req: ((cap1 | h) | j)
#>=Pkg: d 3 1 x86_64
#>=Rec: (a - cap2)
#>=Prv: /etc/y
#>=Pkg: h 2 1 x86_64
#>=Pkg: j 1 1 x86_64
#>=Pkg: j 2 1 noarch
#>=Req: cap2
#>=Sup: (h > 3 | /etc/y)
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof d-3-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.x86_64@available
#>install d-3-1.x86_64@available
#>install h-2-1.x86_64@available
