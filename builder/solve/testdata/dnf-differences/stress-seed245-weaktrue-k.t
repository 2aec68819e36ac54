# TestRandomAgainstDNF generator=stress seed=245 weak=true: dnf install "k", reduced
# dnf (and testsolv given dnf's job, this case): [f-2-1.noarch k-1-1.x86_64]
# slipway:  [i-2-1.x86_64 k-1-1.x86_64]
# full repository: dnf [b-2-1.x86_64 c-1-1.x86_64 i-3-1.x86_64 l-2-1.x86_64], slipway [b-2-1.x86_64 c-1-1.x86_64 i-2-1.x86_64 l-2-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: f 2 1 noarch
#>=Prv: /usr/bin/x
#>=Pkg: i 2 1 x86_64
#>=Prv: /usr/bin/x
#>=Pkg: j 2 1 x86_64
#>=Req: g
#>=Obs: f
#>=Prv: /usr/bin/x
#>=Pkg: k 1 1 x86_64
#>=Rec: /usr/bin/x
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof k-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install f-2-1.noarch@available
#>install k-1-1.x86_64@available
