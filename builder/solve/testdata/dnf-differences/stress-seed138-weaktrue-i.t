# TestRandomAgainstDNF generator=stress seed=138 weak=true: dnf install "i", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.x86_64 b-3-1.noarch f-1-1.x86_64 i-1-1.x86_64]
# slipway:  [a-2-1.x86_64 b-3-1.noarch f-2-1.x86_64 i-1-1.x86_64]
# full repository: dnf [a-2-1.x86_64 b-3-1.noarch f-1-1.x86_64 i-1-1.x86_64 j-2-1.noarch], slipway [a-2-1.x86_64 b-3-1.noarch f-2-1.x86_64 i-1-1.x86_64 j-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Sup: (a <IF> k <ELSE> /usr/bin/x)
#>=Pkg: b 3 1 noarch
#>=Pkg: f 1 1 x86_64
#>=Sup: b
#>=Pkg: f 2 1 x86_64
#>=Sup: a
#>=Pkg: i 1 1 x86_64
#>=Req: (b <UNLESS> d > 1)
#>=Prv: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof i-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.x86_64@available
#>install b-3-1.noarch@available
#>install f-1-1.x86_64@available
#>install i-1-1.x86_64@available
