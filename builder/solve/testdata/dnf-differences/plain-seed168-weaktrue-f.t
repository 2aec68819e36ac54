# TestRandomAgainstDNF generator=plain seed=168 weak=true: dnf install "f", reduced
# dnf (and testsolv given dnf's job, this case): [d-2-1.x86_64 f-2-1.x86_64 j-1-1.noarch k-1-1.x86_64]
# slipway:  [a-3-1.x86_64 c-1-1.noarch d-2-1.x86_64 e-1-1.noarch f-2-1.x86_64 l-1-1.noarch]
# full repository: dnf [b-1-1.noarch d-2-1.x86_64 f-2-1.x86_64 k-1-1.x86_64 l-1-1.noarch], slipway [a-3-1.x86_64 c-1-1.noarch d-2-1.x86_64 e-1-1.noarch f-2-1.x86_64 l-1-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 x86_64
#>=Pkg: a 3 1 x86_64
#>=Req: l
#>=Pkg: c 1 1 noarch
#>=Req: a
#>=Pkg: d 2 1 x86_64
#>=Req: cap2
#>=Pkg: e 1 1 noarch
#>=Req: c < 3
#>=Prv: /usr/bin/x
#>=Pkg: f 2 1 x86_64
#>=Req: (d & /usr/bin/x)
#>=Pkg: j 1 1 noarch
#>=Prv: cap2 = 3
#>=Rec: k
#>=Pkg: k 1 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: l 1 1 noarch
#>=Prv: cap2 = 2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof f-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install d-2-1.x86_64@available
#>install f-2-1.x86_64@available
#>install j-1-1.noarch@available
#>install k-1-1.x86_64@available
