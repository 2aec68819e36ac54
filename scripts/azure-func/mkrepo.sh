#!/usr/bin/env bash
# mkrepo.sh DATA: a repository of Azure Linux-shaped packages over real
# Debian bookworm amd64 binaries, for the functional e2e test of the
# emulated scriptlets (e2e/azurefunc_test.go) and its dnf oracle.
#
# In DATA/repo (createrepo_c, unsigned):
#   - the Debian packages of scripts/bench-build/packages.txt (without bash
#     and Debian's ca-certificates) plus p11-kit, p11-kit-modules and
#     libc-bin, repackaged by scripts/bench-build/mkrepo.sh;
#   - bash: Debian's bash with Azure Linux 3's %post (/etc/shells,
#     /root/.bash_logout) and the /bin/sh link Azure's bash ships;
#   - ca-certificates: Azure Linux 3's shape (but no /etc/ssl/certs link:
#     Debian's openssl owns that folder): trust sources (a test CA made
#     here, DATA/ca.pem with its key DATA/ca.key, in
#     /etc/pki/ca-trust/source/anchors; three of Debian's Mozilla roots in
#     /usr/share/pki/ca-trust-source/anchors), the extracted bundles
#     %ghost, the classic names linked into them, %post update-ca-trust,
#     the update-ca-trust script (trust extract, as Azure's) and a p11-kit
#     module config that gives Debian's trust module Azure's trust paths
#     (Azure builds p11-kit --with-trust-paths=/etc/pki/ca-trust/source:/usr/share/pki/ca-trust-source);
#   - setup: /etc/passwd and /etc/group with root, as Azure's filesystem;
#   - svcd: a service account made in %pre (getent || groupadd -r,
#     getent || useradd -r), Fedora's idiom.
# Takes about 2 minutes on 2 cores; e2e caches DATA by the content of this
# script and of scripts/bench-build/{mkrepo.sh,packages.txt}.
set -euo pipefail

data=$1
here=$(cd "$(dirname "$0")" && pwd)
bench=$here/../bench-build
mkdir -p "$data"/{src,top,home,x}
data=$(cd "$data" && pwd)
echo "%_dbpath $data/rpmdb" >"$data/home/.rpmmacros"

grep -v '^#' "$bench/packages.txt" | tr -s ' \t' '\n' | sed '/^$/d' |
  grep -vx -e bash -e ca-certificates >"$data/packages.txt"
printf '%s\n' p11-kit p11-kit-modules libc-bin >>"$data/packages.txt"
"$bench/mkrepo.sh" "$data/deb" "$data/packages.txt"
mkdir -p "$data/repo"
mv "$data"/deb/repo/*.rpm "$data/repo/"

chmod 0777 "$data/src"
(cd "$data/src" && apt-get download -q bash ca-certificates >/dev/null 2>"$data/apt.log") || {
  cat "$data/apt.log" >&2
  exit 1
}
dpkg-deb -x "$data"/src/bash_*.deb "$data/x/bash"
dpkg-deb -x "$data"/src/ca-certificates_*.deb "$data/x/ca"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/CN=Slipway Functional Test CA" -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$data/ca.key" -out "$data/ca.pem" 2>/dev/null
mkdir -p "$data/x/mozilla"
ls "$data"/x/ca/usr/share/ca-certificates/mozilla/*.crt | sort | head -3 |
  while IFS= read -r f; do cp "$f" "$data/x/mozilla/"; done

bashver=$(dpkg-deb -f "$data"/src/bash_*.deb Version)
bashver=${bashver%%-*}
cat >"$data/bash.spec" <<SPEC
Name: bash
Version: ${bashver//-/_}
Release: 1.azl3
Summary: Debian's bash with Azure Linux 3's scriptlets
License: GPLv3+
Requires(post): setup coreutils grep
%description
Debian bookworm's bash, with the /etc/shells %post of Azure Linux 3.
%install
cp -a $data/x/bash/. %{buildroot}/
ln -s bash %{buildroot}/bin/sh
%post
if [ \$1 -eq 1 ] ; then
    if [ ! -f "/root/.bash_logout" ] ; then
        cp /etc/skel/.bash_logout /root/.bash_logout
    fi
    if [ ! -f /etc/shells ]; then
        echo "/bin/sh" >> /etc/shells
        echo "/bin/bash" >> /etc/shells
        echo "/usr/bin/sh" >> /etc/shells
        echo "/usr/bin/bash" >> /etc/shells
    else
        grep -q '^/bin/sh\$' /etc/shells || \\
        echo "/bin/sh" >> /etc/shells
        grep -q '^/bin/bash\$' /etc/shells || \\
        echo "/bin/bash" >> /etc/shells
        grep -q '^/usr/bin/sh\$' /etc/shells || \\
        echo "/usr/bin/sh" >> /etc/shells
        grep -q '^/usr/bin/bash\$' /etc/shells || \\
        echo "/usr/bin/bash" >> /etc/shells
    fi
fi
%files
/bin/sh
$(cd "$data/x/bash" && find . -mindepth 1 -maxdepth 1 -printf '/%P\n' | sort)
SPEC

cat >"$data/ca-certificates.spec" <<SPEC
Name: ca-certificates
Version: 3.0.0
Release: 1.azl3
Summary: CA certificates shaped like Azure Linux 3's
License: MPL-2.0
BuildArch: noarch
Requires(post): p11-kit p11-kit-modules bash coreutils
%description
The trust sources, %ghost bundles, links and %post of Azure Linux 3's
ca-certificates, with a test CA among the anchors.
%install
for d in source/anchors source/blocklist extracted/pem/directory-hash extracted/openssl extracted/java extracted/edk2; do
  mkdir -p %{buildroot}/etc/pki/ca-trust/\$d
done
mkdir -p %{buildroot}/usr/share/pki/ca-trust-source/anchors %{buildroot}/usr/share/pki/ca-trust-source/blocklist
mkdir -p %{buildroot}/etc/pki/tls/certs %{buildroot}/etc/pki/java %{buildroot}/usr/bin %{buildroot}/etc/pkcs11/modules
install -m 644 $data/ca.pem %{buildroot}/etc/pki/ca-trust/source/anchors/slipway-test-ca.pem
cp $data/x/mozilla/*.crt %{buildroot}/usr/share/pki/ca-trust-source/anchors/
for f in pem/tls-ca-bundle.pem pem/email-ca-bundle.pem pem/objsign-ca-bundle.pem openssl/ca-bundle.trust.crt java/cacerts edk2/cacerts.bin; do
  touch %{buildroot}/etc/pki/ca-trust/extracted/\$f
  chmod 444 %{buildroot}/etc/pki/ca-trust/extracted/\$f
done
ln -s /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem %{buildroot}/etc/pki/tls/cert.pem
ln -s /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem %{buildroot}/etc/pki/tls/certs/ca-bundle.crt
ln -s /etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt %{buildroot}/etc/pki/tls/certs/ca-bundle.trust.crt
ln -s /etc/pki/ca-trust/extracted/java/cacerts %{buildroot}/etc/pki/java/cacerts
printf 'module: p11-kit-trust.so\ntrust-policy: yes\nx-init-reserved: paths=/etc/pki/ca-trust/source:/usr/share/pki/ca-trust-source\n' >%{buildroot}/etc/pkcs11/modules/p11-kit-trust.module
cat >%{buildroot}/usr/bin/update-ca-trust <<'SCRIPT'
#!/bin/sh
# update-ca-trust [extract]: the extraction of Azure Linux 3's script.
D=/etc/pki/ca-trust/extracted
trust extract --format=openssl-bundle --filter=certificates --overwrite --comment \$D/openssl/ca-bundle.trust.crt
trust extract --format=pem-bundle --filter=ca-anchors --overwrite --comment --purpose server-auth \$D/pem/tls-ca-bundle.pem
trust extract --format=pem-bundle --filter=ca-anchors --overwrite --comment --purpose email \$D/pem/email-ca-bundle.pem
trust extract --format=pem-bundle --filter=ca-anchors --overwrite --comment --purpose code-signing \$D/pem/objsign-ca-bundle.pem
trust extract --format=java-cacerts --filter=ca-anchors --overwrite --purpose server-auth \$D/java/cacerts
trust extract --format=edk2-cacerts --filter=ca-anchors --overwrite --purpose=server-auth \$D/edk2/cacerts.bin
trust extract --format=pem-directory-hash --filter=ca-anchors --overwrite --purpose server-auth \$D/pem/directory-hash
ln -s ../tls-ca-bundle.pem \$D/pem/directory-hash/ca-certificates.crt
ln -s ../tls-ca-bundle.pem \$D/pem/directory-hash/ca-bundle.crt
SCRIPT
chmod 755 %{buildroot}/usr/bin/update-ca-trust
%post
%{_bindir}/update-ca-trust
%files
/usr/bin/update-ca-trust
/etc/pkcs11/modules/p11-kit-trust.module
/etc/pki/tls/cert.pem
/etc/pki/tls/certs/ca-bundle.crt
/etc/pki/tls/certs/ca-bundle.trust.crt
/etc/pki/java/cacerts
/usr/share/pki/ca-trust-source/anchors
/etc/pki/ca-trust/source/anchors
%dir /etc/pki/ca-trust/source/blocklist
%dir /usr/share/pki/ca-trust-source/blocklist
%dir /etc/pki/ca-trust/extracted/pem
%dir /etc/pki/ca-trust/extracted/pem/directory-hash
%dir /etc/pki/ca-trust/extracted/openssl
%dir /etc/pki/ca-trust/extracted/java
%dir /etc/pki/ca-trust/extracted/edk2
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/pem/email-ca-bundle.pem
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/pem/objsign-ca-bundle.pem
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/java/cacerts
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/edk2/cacerts.bin
SPEC

cat >"$data/setup.spec" <<'SPEC'
Name: setup
Version: 3.0
Release: 1.azl3
Summary: /etc/passwd and /etc/group with root, as Azure Linux's filesystem ships them
License: Public Domain
BuildArch: noarch
%description
The account files a fresh root starts with.
%install
mkdir -p %{buildroot}/etc %{buildroot}/root
echo 'root:x:0:0:root:/root:/bin/bash' >%{buildroot}/etc/passwd
echo 'root:x:0:' >%{buildroot}/etc/group
%files
%config(noreplace) /etc/passwd
%config(noreplace) /etc/group
%dir %attr(0700,root,root) /root
SPEC

cat >"$data/svcd.spec" <<'SPEC'
Name: svcd
Version: 1.0
Release: 1.azl3
Summary: A service with a system account made in %pre
License: MIT
BuildArch: noarch
Requires(pre): setup bash passwd libc-bin
%description
Makes the svcd account as Fedora's packaging guidelines do.
%install
mkdir -p %{buildroot}/var/lib/svcd
%pre
getent group svcd >/dev/null || groupadd -r svcd
getent passwd svcd >/dev/null || \
    useradd -r -g svcd -d /var/lib/svcd -s /sbin/nologin -c "service daemon" svcd
exit 0
%files
%dir /var/lib/svcd
SPEC

mkdir -p "$data"/top/{BUILD,BUILDROOT,RPMS,SOURCES,SPECS,SRPMS}
for s in bash ca-certificates setup svcd; do
  HOME=$data/home rpmbuild -bb --quiet \
    --define "_topdir $data/top" \
    --define "_binary_payload w7.zstdio" \
    --define "debug_package %{nil}" \
    --define "__os_install_post %{nil}" \
    --define "_build_id_links none" \
    "$data/$s.spec" >"$data/$s.log" 2>&1 || { cat "$data/$s.log" >&2; exit 1; }
done
find "$data/top/RPMS" -name '*.rpm' -exec mv -t "$data/repo" {} +
createrepo_c -q "$data/repo" >/dev/null
rm -rf "$data/top" "$data/x" "$data/deb" "$data/src"
echo "mkrepo: $(ls "$data"/repo/*.rpm | wc -l) RPMs in $data/repo" >&2
