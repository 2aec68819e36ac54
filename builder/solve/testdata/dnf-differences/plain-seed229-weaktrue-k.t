# TestRandomAgainstDNF generator=plain seed=229 weak=true: dnf install "k", reduced
# dnf (and testsolv given dnf's job, this case): [d-1-1.x86_64 k-1-1.x86_64]
# slipway:  [b-1-1.x86_64 k-1-1.x86_64]
# full repository: dnf [d-1-1.x86_64 e-1-1.noarch h-2-1.x86_64 k-1-1.x86_64 l-2-1.x86_64], slipway [b-1-1.x86_64 h-2-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Prv: /etc/y
#>=Pkg: b 2 1 x86_64
#>=Pkg: d 1 1 x86_64
#>=Prv: /etc/y
#>=Pkg: i 1 1 x86_64
#>=Req: /usr/bin/x
#>=Obs: d
#>=Prv: /etc/y
#>=Pkg: k 1 1 x86_64
#>=Req: /etc/y
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof k-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install d-1-1.x86_64@available
#>install k-1-1.x86_64@available
