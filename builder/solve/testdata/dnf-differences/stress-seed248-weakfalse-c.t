# TestRandomAgainstDNF generator=stress seed=248 weak=false: dnf install "c", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.x86_64 c-2-1.x86_64]
# slipway:  [c-2-1.x86_64 l-1-1.x86_64]
# full repository: dnf [a-2-1.x86_64 c-2-1.x86_64 l-1-1.x86_64], slipway [c-2-1.x86_64 d-1-1.noarch h-1-1.x86_64]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 x86_64
#>=Prv: cap1 = 1
#>=Sup: (f <IF> cap1 >= 1)
#>=Pkg: c 2 1 x86_64
#>=Req: cap1
#>=Pkg: l 1 1 x86_64
#>=Prv: cap1 = 2
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes ignorerecommended
job install oneof c-2-1.x86_64@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.x86_64@available
#>install c-2-1.x86_64@available
