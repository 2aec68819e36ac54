# TestRandomAgainstDNF generator=plain seed=255 weak=false: dnf install "c", reduced
# dnf (and testsolv given dnf's job, this case): [c-1-1.x86_64 l-1-1.noarch]
# slipway:  [b-3-1.noarch c-1-1.x86_64 i-1-1.x86_64 l-3-1.x86_64]
# full repository: dnf [c-1-1.x86_64 l-1-1.noarch], slipway [b-3-1.noarch c-1-1.x86_64 e-1-1.x86_64 i-1-1.x86_64 l-3-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: b 3 1 noarch
#>=Req: i
#>=Prv: /etc/y
#>=Pkg: c 1 1 x86_64
#>=Req: /etc/y
#>=Pkg: i 1 1 x86_64
#>=Req: l
#>=Pkg: l 1 1 noarch
#>=Prv: /etc/y
#>=Pkg: l 3 1 x86_64
#>=Rec: l
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof c-1-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install c-1-1.x86_64@available
#>install l-1-1.noarch@available
