# TestRandomAgainstDNF generator=stress seed=129 weak=true: dnf install "l", reduced
# dnf (and testsolv given dnf's job, this case): [a-2-1.noarch d-2-1.x86_64 j-1-1.x86_64 l-2-1.noarch]
# slipway:  [a-2-1.noarch j-1-1.x86_64 l-2-1.noarch]
# full repository: dnf [a-2-1.noarch d-2-1.x86_64 e-1-1.x86_64 j-1-1.x86_64 l-2-1.noarch], slipway [a-2-1.noarch e-1-1.x86_64 j-1-1.x86_64 l-2-1.noarch]
repo system 0 testtags <inline>
repo available 0 testtags <inline>
#>=Pkg: a 2 1 noarch
#>=Rec: /usr/bin/x
#>=Pkg: d 2 1 x86_64
#>=Obs: j
#>=Prv: /usr/bin/x
#>=Pkg: j 1 1 x86_64
#>=Prv: cap1 = 3
#>=Rec: (e <IF> a <ELSE> i <= 3)
#>=Pkg: l 2 1 noarch
#>=Rec: cap1 >= 3
system x86_64 rpm system
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install oneof l-2-1.noarch@available [setevr,setarch]
result transaction,problems <inline>
#>install a-2-1.noarch@available
#>install d-2-1.x86_64@available
#>install j-1-1.x86_64@available
#>install l-2-1.noarch@available
