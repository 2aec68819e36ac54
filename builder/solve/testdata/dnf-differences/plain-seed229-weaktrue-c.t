# TestRandomAgainstDNF generator=plain seed=229 weak=true: dnf install "c", reduced
# dnf (and testsolv given dnf's job, this case): [c-2-1.noarch d-1-1.x86_64 k-1-1.x86_64]
# slipway:  [b-1-1.x86_64 c-2-1.noarch k-1-1.x86_64]
# full repository: dnf [c-2-1.noarch d-1-1.x86_64 e-1-1.noarch h-2-1.x86_64 k-1-1.x86_64 l-2-1.x86_64], slipway [b-1-1.x86_64 c-2-1.noarch h-2-1.x86_64 k-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 1 1 x86_64
#>=Prv: /etc/y
#>=Pkg: b 2 1 x86_64
#>=Pkg: c 2 1 noarch
#>=Rec: cap1
#>=Pkg: d 1 1 x86_64
#>=Prv: /etc/y
#>=Pkg: i 1 1 x86_64
#>=Req: /usr/bin/x
#>=Obs: d
#>=Prv: /etc/y
#>=Pkg: k 1 1 x86_64
#>=Req: /etc/y
#>=Prv: cap1 = 1
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof c-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install c-2-1.noarch@available
#>install d-1-1.x86_64@available
#>install k-1-1.x86_64@available
