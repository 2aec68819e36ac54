# TestRandomAgainstDNF generator=stress seed=241 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.noarch c-1-1.noarch f-3-1.x86_64]
# slipway:  [a-1-1.noarch c-1-1.noarch d-2-1.x86_64 f-3-1.x86_64]
# full repository: dnf [a-1-1.noarch c-1-1.noarch d-2-1.x86_64 f-3-1.x86_64 g-2-1.x86_64 i-2-1.noarch j-2-1.noarch], slipway [a-1-1.noarch d-2-1.x86_64 f-3-1.x86_64 g-2-1.x86_64 i-2-1.noarch j-2-1.noarch l-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 noarch
#>=Rec: (l >= 1 | cap2)
#>=Pkg: c 1 1 noarch
#>=Req: cap3
#>=Prv: cap2 = 3
#>=Pkg: d 2 1 x86_64
#>=Req: f
#>=Prv: cap3 = 2
#>=Pkg: f 3 1 x86_64
#>=Prv: cap3 = 2
#>=Pkg: l 2 1 x86_64
#>=Req: /usr/bin/x
#>=Prv: cap3 = 1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-1-1.noarch@available
#>install c-1-1.noarch@available
#>install f-3-1.x86_64@available
