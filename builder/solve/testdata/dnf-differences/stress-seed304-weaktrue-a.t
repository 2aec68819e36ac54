# TestRandomAgainstDNF generator=stress seed=304 weak=true: dnf install "a", reduced
# dnf (and testsolv given dnf's job, this case): [a-1-1.noarch d-1-1.x86_64 f-2-1.x86_64]
# slipway:  [a-1-1.noarch d-1-1.x86_64 g-1-1.noarch]
# full repository: dnf [a-1-1.noarch c-1-1.noarch d-1-1.x86_64 f-2-1.x86_64 h-1-1.x86_64 j-1-1.x86_64], slipway [a-1-1.noarch c-1-1.noarch d-1-1.x86_64 g-1-1.noarch h-1-1.x86_64 j-1-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 1 1 noarch
#>=Rec: d
#>=Pkg: d 1 1 x86_64
#>=Req: (/usr/bin/x | /etc/y)
#>=Pkg: f 2 1 x86_64
#>=Prv: /etc/y
#>=Pkg: g 1 1 noarch
#>=Prv: /etc/y
#>=Pkg: g 3 1 x86_64
#>=Req: (g < 2 + cap2)
#>=Sup: a
#>=Prv: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof a-1-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-1-1.noarch@available
#>install d-1-1.x86_64@available
#>install f-2-1.x86_64@available
