package testrepo

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
)

// rpmQ runs `rpm -qp --qf FORMAT FILE` against a private database.
func rpmQ(t *testing.T, dbpath, file, format string) string {
	t.Helper()
	cmd := exec.Command("rpm", "--dbpath", dbpath, "-qp", "--nosignature", "--qf", format, file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rpm -qp %s: %v\n%s", file, err, stderr.String())
	}
	return string(out)
}

// byName maps "NAME-VERSION" and "NAME" (the last one seen) to RPM files.
func byName(t *testing.T, dbpath string, files []string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, f := range files {
		nv := strings.Fields(rpmQ(t, dbpath, f, "%{NAME} %{VERSION}"))
		m[nv[0]] = f
		m[nv[0]+"-"+nv[1]] = f
	}
	return m
}

func TestLayout(t *testing.T) {
	t.Parallel()
	r := Get(t)
	for _, arch := range Arches {
		entries, err := os.ReadDir(r.Dir[arch])
		if err != nil {
			t.Fatal(err)
		}
		var rpms int
		for _, e := range entries {
			switch {
			case e.Name() == "repodata" && e.IsDir():
			case strings.HasSuffix(e.Name(), ".rpm") && e.Type().IsRegular():
				rpms++
				if !strings.HasSuffix(e.Name(), "."+arch+".rpm") && !strings.HasSuffix(e.Name(), ".noarch.rpm") {
					t.Errorf("%s repo holds %s of another arch", arch, e.Name())
				}
			default:
				t.Errorf("%s repo holds something else than RPMs and repodata: %s", arch, e.Name())
			}
		}
		if rpms != len(r.RPMs[arch]) || rpms < 15 {
			t.Errorf("%s: %d RPMs in folder, %d in Repos.RPMs", arch, rpms, len(r.RPMs[arch]))
		}
	}
	for _, f := range []string{r.Tampered, r.UnknownSigned, r.Unsigned, r.KeyFile, r.OtherKeyFile} {
		if !strings.HasPrefix(f, r.Root) {
			t.Errorf("%s is not under Root %s", f, r.Root)
		}
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
	for _, k := range []string{r.Key, r.OtherKey} {
		if !strings.HasPrefix(k, "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
			t.Errorf("key is not armored: %.40q", k)
		}
	}
	if r.Key == r.OtherKey {
		t.Error("Key and OtherKey are the same")
	}
	if Get(t) != r {
		t.Error("a second Get in the same process returned another value")
	}
}

// TestSignatures checks every RPM with rpm -K against a private rpmdb that
// holds only Key, and the negative RPMs against what they claim to be.
func TestSignatures(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "rpm", "rpm")
	r := Get(t)
	db := importKeys(t, r.KeyFile)
	otherDB := importKeys(t, r.OtherKeyFile)

	check := func(db, file string) (string, bool) {
		out, err := exec.Command("rpm", "--dbpath", db, "-Kv", file).CombinedOutput()
		return string(out), err == nil
	}
	for _, arch := range Arches {
		for _, f := range r.RPMs[arch] {
			out, ok := check(db, f)
			if !ok || !strings.Contains(out, "Header V4 RSA/SHA512 Signature") || strings.Contains(out, "BAD") || strings.Contains(out, "NOKEY") {
				t.Errorf("rpm -Kv %s with Key: ok=%v\n%s", f, ok, out)
			}
		}
	}

	tests := []struct {
		name       string
		file       string
		db         string
		wantOK     bool
		wantSubstr []string
	}{
		{"tampered", r.Tampered, db, false, []string{"Header V4 RSA/SHA512 Signature, key ID", "Payload SHA256 digest: BAD"}},
		{"unknown-signed with Key", r.UnknownSigned, db, false, []string{"NOKEY"}},
		{"unknown-signed with OtherKey", r.UnknownSigned, otherDB, true, []string{"Header V4 RSA/SHA512 Signature", "Payload SHA256 digest: OK"}},
		{"signed RPM with OtherKey only", r.RPMs["x86_64"][0], otherDB, false, []string{"NOKEY"}},
		{"unsigned", r.Unsigned, db, true, []string{"Payload SHA256 digest: OK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ok := check(tt.db, tt.file)
			if ok != tt.wantOK {
				t.Errorf("rpm -Kv ok=%v, want %v\n%s", ok, tt.wantOK, out)
			}
			for _, s := range tt.wantSubstr {
				if !strings.Contains(out, s) {
					t.Errorf("rpm -Kv output lacks %q:\n%s", s, out)
				}
			}
		})
	}
	// The tampered header itself still verifies: only the payload is bad.
	if out, _ := check(db, r.Tampered); !strings.Contains(out, "Header V4 RSA/SHA512 Signature, key ID") || !strings.Contains(out, ": OK") {
		t.Errorf("tampered header signature should be OK:\n%s", out)
	}
	if out, _ := check(db, r.Unsigned); strings.Contains(out, "Signature") {
		t.Errorf("unsigned RPM has a signature:\n%s", out)
	}
}

func importKeys(t *testing.T, keys ...string) string {
	t.Helper()
	db := t.TempDir()
	for _, k := range keys {
		if out, err := exec.Command("rpm", "--dbpath", db, "--import", k).CombinedOutput(); err != nil {
			t.Fatalf("rpm --import %s: %v\n%s", k, err, out)
		}
	}
	return db
}

// TestPackages checks, with rpm -qp, that the packages carry the features
// the rest of slipway is tested against.
func TestPackages(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "rpm", "rpm")
	r := Get(t)
	db := t.TempDir()
	for _, arch := range Arches {
		t.Run(arch, func(t *testing.T) {
			pkgs := byName(t, db, r.RPMs[arch])
			q := func(name, format string) string {
				t.Helper()
				f, ok := pkgs[name]
				if !ok {
					t.Fatalf("no package %s in the %s repo", name, arch)
				}
				return rpmQ(t, db, f, format)
			}
			files := func(name string) string {
				return q(name, "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEFLAGS:fflags}|%{FILENAMES}|%{FILELINKTOS}|%{FILEINODES}|%{FILECAPS}\n]")
			}
			deps := func(name string) string {
				return q(name, "[R %{REQUIRENAME} %{REQUIREFLAGS:deptype}\n][P %{PROVIDENAME}\n][C %{CONFLICTNAME}\n][O %{OBSOLETENAME}\n]"+
					"[REC %{RECOMMENDNAME}\n][SUG %{SUGGESTNAME}\n][SUP %{SUPPLEMENTNAME}\n][ENH %{ENHANCENAME}\n]")
			}
			tests := []struct {
				pkg  string
				what func(string) string
				want []string
			}{
				{"filesystem", files, []string{
					"|/bin|usr/bin|", "|/sbin|usr/sbin|", "|/lib64|usr/lib64|", "|/lib|usr/lib|",
					"drwxrwxrwt root |/tmp||", "|/var/run|../run|", "dr-xr-x--- root |/root||"}},
				{"filesystem", deps, []string{"R setup pre\n"}},
				{"setup", files, []string{"-rw-r--r-- root cn|/etc/passwd|", "-rw-r--r-- root cn|/etc/group|", "---------- root cmng|/etc/shadow|"}},
				{"libfoo", deps, []string{"P libfoo.so.1()(64bit)\n"}},
				{"libfoo", files, []string{"|/usr/lib64/libfoo.so.1|libfoo.so.1.2.0|", "l|/usr/share/licenses/libfoo-1.2/LICENSE|"}},
				{"appd", deps, []string{"R libfoo.so.1()(64bit) auto\n", "R libc.so.6()(64bit) auto\n", "REC busybox\n"}},
				{"glibc", deps, []string{"P libc.so.6()(64bit)\n", "P rtld(GNU_HASH)\n"}},
				{"busybox", files, []string{"|/usr/bin/sh|busybox|", "-rwxr-xr-x root |/usr/bin/busybox||"}},
				{"busybox", deps, []string{"P /bin/sh\n"}},
				{"webd", files, []string{
					"-rwxr-xr-x root |/usr/sbin/webd||", "|cap_net_bind_service=ep\n", "-rwsr-xr-x root |", "|/usr/bin/webctl|",
					"g|/run/webd.pid|", "cn|/etc/webd.conf|", "d|/usr/share/doc/webd-2.4/README|",
					"l|/usr/share/licenses/webd-2.4/LICENSE|", "drwxr-x--- webd |/var/lib/webd||",
					"|/usr/share/webd/htdocs|../../../var/lib/webd/htdocs|", "|/usr/lib/sysusers.d/webd.conf|"}},
				{"webd", deps, []string{
					"R setup pre\n", "R /usr/bin/sh pre\n", "R /usr/share/zoneinfo/UTC manual\n",
					"P httpd-server\n", "C tinyhttpd\n", "O oldwebd\n", "REC timekeeper\n", "SUG webd-doc\n"}},
				{"webd", func(n string) string { return q(n, "%{PREIN}") }, []string{"useradd -r -g webd"}},
				{"webd-doc", deps, []string{"ENH webd\n"}},
				{"webd-bash-completion", deps, []string{"SUP (webd and bash)\n"}},
				{"tinyhttpd", deps, []string{"P httpd-server\n", "C webd\n"}},
				{"richdeps", deps, []string{
					"R (busybox or toybox) manual\n", "R (tzdata if timekeeper) manual\n",
					"R (nano-lite if webd else vi-lite) manual\n", "R (tzdata with tzdata(iana) >= 2024a) manual\n",
					"C (oldwebd unless webd)\n", "REC (webd-doc if webd)\n"}},
				{"core-packages-container", deps, []string{"R filesystem manual\n", "R busybox manual\n"}},
			}
			for _, tt := range tests {
				got := tt.what(tt.pkg)
				for _, w := range tt.want {
					if !strings.Contains(got, w) {
						t.Errorf("%s lacks %q; rpm says:\n%s", tt.pkg, w, got)
					}
				}
			}

			// Hardlinks: UTC, Zulu and Etc/UTC share one inode in tzdata.
			inodes := map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(files("tzdata")), "\n") {
				f := strings.Split(line, "|")
				inodes[f[1]] = f[3]
			}
			if in := inodes["/usr/share/zoneinfo/UTC"]; in == "" || inodes["/usr/share/zoneinfo/Zulu"] != in || inodes["/usr/share/zoneinfo/Etc/UTC"] != in || inodes["/usr/share/zoneinfo/Europe/Paris"] == in {
				t.Errorf("tzdata hardlinks: inodes %v", inodes)
			}

			// Versions, epochs and payload compressors over the whole repo.
			versions := map[string][]string{}
			compressors := map[string]int{}
			for _, f := range r.RPMs[arch] {
				fields := strings.Fields(rpmQ(t, db, f, "%{NAME} %{EPOCH}:%{VERSION} %{PAYLOADCOMPRESSOR} %{ARCH}"))
				versions[fields[0]] = append(versions[fields[0]], fields[1])
				compressors[fields[2]]++
				if fields[3] != arch && fields[3] != "noarch" {
					t.Errorf("%s: arch %s in the %s repo", f, fields[3], arch)
				}
			}
			slices.Sort(versions["timekeeper"])
			if got := strings.Join(versions["timekeeper"], " "); got != "(none):2.0 1:1.0" {
				t.Errorf("timekeeper versions: %s, want (none):2.0 1:1.0", got)
			}
			if len(versions["tzdata"]) < 2 {
				t.Errorf("tzdata versions: %v, want several", versions["tzdata"])
			}
			for _, c := range []string{"gzip", "xz", "zstd", "bzip2"} {
				if compressors[c] == 0 {
					t.Errorf("no %s payload among %v", c, compressors)
				}
			}
			if total := len(r.RPMs[arch]); compressors["zstd"]*2 <= total {
				t.Errorf("zstd payloads are not the majority: %v", compressors)
			}
		})
	}
}

// TestBinaries extracts the ELF files with rpm2cpio and checks they were
// built for the repository's arch.
func TestBinaries(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "rpm2cpio", "rpm")
	testutil.RequireTool(t, "cpio", "cpio")
	r := Get(t)
	machines := map[string]elf.Machine{"x86_64": elf.EM_X86_64, "aarch64": elf.EM_AARCH64}
	for _, arch := range Arches {
		for _, pkg := range []struct{ prefix, file string }{
			{"busybox-", "usr/bin/busybox"}, {"appd-", "usr/bin/appd"},
			{"libfoo-", "usr/lib64/libfoo.so.1.2.0"}, {"glibc-", "usr/lib64/libc.so.6"},
		} {
			var rpm string
			for _, f := range r.RPMs[arch] {
				if strings.HasPrefix(filepath.Base(f), pkg.prefix) {
					rpm = f
				}
			}
			if rpm == "" {
				t.Errorf("%s: no %s package", arch, pkg.prefix)
				continue
			}
			dir := t.TempDir()
			cmd := exec.Command("sh", "-c", `rpm2cpio "$1" | cpio -idm --quiet`, "sh", rpm)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("extracting %s: %v\n%s", rpm, err, out)
			}
			ef, err := elf.Open(filepath.Join(dir, pkg.file))
			if err != nil {
				t.Errorf("%s: %v", rpm, err)
				continue
			}
			if ef.Machine != machines[arch] {
				t.Errorf("%s: %s is %v, want %v", rpm, pkg.file, ef.Machine, machines[arch])
			}
			if pkg.prefix == "appd-" {
				libs, err := ef.ImportedLibraries()
				if err != nil || !slices.Contains(libs, "libfoo.so.1") {
					t.Errorf("%s: appd needs %v (%v), want libfoo.so.1", rpm, libs, err)
				}
			}
			ef.Close()
		}
	}
}

type repomd struct {
	Data []struct {
		Type     string `xml:"type,attr"`
		Checksum struct {
			Type  string `xml:"type,attr"`
			Value string `xml:",chardata"`
		} `xml:"checksum"`
		OpenChecksum string `xml:"open-checksum"`
		Location     struct {
			Href string `xml:"href,attr"`
		} `xml:"location"`
		Size     int64 `xml:"size"`
		OpenSize int64 `xml:"open-size"`
	} `xml:"data"`
}

// TestRepodata checks every repository's repomd.xml: each metadata file has
// the compression, checksums and sizes repomd.xml claims (decompressed with
// the real gzip/xz/zstd), primary lists every RPM, and gpg verifies
// repomd.xml.asc with Key.
func TestRepodata(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"gpgv", "gzip", "xz", "zstd"} {
		testutil.RequireTool(t, tool, map[string]string{"gpgv": "gpgv", "gzip": "gzip", "xz": "xz-utils", "zstd": "zstd"}[tool])
	}
	r := Get(t)
	keyring := filepath.Join(t.TempDir(), "key.gpg")
	if out, err := exec.Command("gpg", "--batch", "--dearmor", "-o", keyring, r.KeyFile).CombinedOutput(); err != nil {
		t.Fatalf("gpg --dearmor: %v\n%s", err, out)
	}
	otherKeyring := filepath.Join(t.TempDir(), "other.gpg")
	if out, err := exec.Command("gpg", "--batch", "--dearmor", "-o", otherKeyring, r.OtherKeyFile).CombinedOutput(); err != nil {
		t.Fatalf("gpg --dearmor: %v\n%s", err, out)
	}
	tests := []struct {
		name, dir, ext, decompress string
		rpms                       int
	}{
		{"x86_64", r.Dir["x86_64"], ".gz", "gzip", len(r.RPMs["x86_64"])},
		{"aarch64", r.Dir["aarch64"], ".gz", "gzip", len(r.RPMs["aarch64"])},
		{"xz", r.XZDir, ".xz", "xz", len(r.RPMs["x86_64"])},
		{"zstd", r.ZstdDir, ".zst", "zstd", len(r.RPMs["x86_64"])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			md := filepath.Join(tt.dir, "repodata", "repomd.xml")
			if out, err := exec.Command("gpgv", "--keyring", keyring, md+".asc", md).CombinedOutput(); err != nil {
				t.Errorf("gpgv repomd.xml.asc: %v\n%s", err, out)
			}
			if err := exec.Command("gpgv", "--keyring", otherKeyring, md+".asc", md).Run(); err == nil {
				t.Errorf("repomd.xml.asc verifies with OtherKey")
			}
			raw, err := os.ReadFile(md)
			if err != nil {
				t.Fatal(err)
			}
			var doc repomd
			if err := xml.Unmarshal(raw, &doc); err != nil {
				t.Fatalf("parsing %s: %v", md, err)
			}
			seen := map[string]bool{}
			for _, d := range doc.Data {
				if d.Type != "primary" && d.Type != "filelists" && d.Type != "other" {
					continue
				}
				seen[d.Type] = true
				if !strings.HasSuffix(d.Location.Href, tt.ext) {
					t.Errorf("%s: %s is not %s", d.Type, d.Location.Href, tt.ext)
				}
				comp, err := os.ReadFile(filepath.Join(tt.dir, d.Location.Href))
				if err != nil {
					t.Fatal(err)
				}
				if sum := sha256.Sum256(comp); d.Checksum.Type != "sha256" || hex.EncodeToString(sum[:]) != d.Checksum.Value || int64(len(comp)) != d.Size {
					t.Errorf("%s: checksum/size mismatch with repomd.xml", d.Location.Href)
				}
				cmd := exec.Command(tt.decompress, "-dc")
				cmd.Stdin = bytes.NewReader(comp)
				plain, err := cmd.Output()
				if err != nil {
					t.Fatalf("%s -dc %s: %v", tt.decompress, d.Location.Href, err)
				}
				if sum := sha256.Sum256(plain); hex.EncodeToString(sum[:]) != d.OpenChecksum || int64(len(plain)) != d.OpenSize {
					t.Errorf("%s: open-checksum/open-size mismatch with repomd.xml", d.Location.Href)
				}
				// primary lists files only under /etc and *bin/: the file
				// dependency on /usr/share/zoneinfo/UTC needs filelists.
				const binFile, shareFile = "<file>/usr/bin/sh</file>", "<file>/usr/share/zoneinfo/UTC</file>"
				switch d.Type {
				case "primary":
					if n := bytes.Count(plain, []byte(`<package type="rpm">`)); n != tt.rpms {
						t.Errorf("primary lists %d packages, want %d", n, tt.rpms)
					}
					if !bytes.Contains(plain, []byte(binFile)) || bytes.Contains(plain, []byte(shareFile)) {
						t.Errorf("primary should list %s and not %s", binFile, shareFile)
					}
				case "filelists":
					if !bytes.Contains(plain, []byte(shareFile)) {
						t.Errorf("filelists lacks %s", shareFile)
					}
				}
			}
			if len(seen) != 3 {
				t.Errorf("repomd.xml has %v, want primary, filelists, other", seen)
			}
		})
	}
}

func TestInputsHash(t *testing.T) {
	t.Parallel()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	a, err := inputsHash(root)
	if err != nil {
		t.Fatal(err)
	}
	b, err := inputsHash(root)
	if err != nil {
		t.Fatal(err)
	}
	if a != b || len(a) != 32 {
		t.Errorf("inputsHash not stable: %s vs %s", a, b)
	}
}

// BenchmarkGetCached measures a Get that finds the repositories built: the
// cost every test pays after the first.
func BenchmarkGetCached(b *testing.B) {
	Get(b)
	for b.Loop() {
		Get(b)
	}
}

// TestDNFInstalls has the real dnf install the metapackage and the packages
// with the most dependencies from every repository, with gpgcheck and
// repo_gpgcheck on and only Key trusted.
func TestDNFInstalls(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "dnf", "dnf")
	r := Get(t)
	tests := []struct{ name, dir, arch string }{
		{"x86_64", r.Dir["x86_64"], "x86_64"},
		{"aarch64", r.Dir["aarch64"], "aarch64"},
		{"xz", r.XZDir, "x86_64"},
		{"zstd", r.ZstdDir, "x86_64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			home, root := filepath.Join(tmp, "home"), filepath.Join(tmp, "root")
			if err := os.MkdirAll(home, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(t.Context(), "dnf", "-y", "--refresh", "--releasever=3",
				"--setopt=reposdir=/dev/null", "--setopt=cachedir="+filepath.Join(tmp, "cache"),
				"--setopt=install_weak_deps=False", "--setopt=gpgcheck=1", "--setopt=tsflags=noscripts",
				"--installroot="+root, "--forcearch="+tt.arch,
				"--repofrompath=local,file://"+tt.dir, "--repo=local",
				"--setopt=local.gpgkey=file://"+r.KeyFile, "--setopt=local.repo_gpgcheck=1",
				"install", "core-packages-container", "appd", "webd", "richdeps")
			cmd.Env = append(os.Environ(), "HOME="+home)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("dnf install: %v\n%s", err, out)
			}
			q, err := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-q", "--qf", "%{NAME}.%{ARCH}\n",
				"appd", "libfoo", "glibc", "busybox", "webd", "tzdata").CombinedOutput()
			if err != nil {
				t.Fatalf("rpm -q in the dnf root: %v\n%s", err, q)
			}
			for _, n := range []string{"appd", "libfoo", "glibc", "busybox"} {
				if !strings.Contains(string(q), n+"."+tt.arch+"\n") {
					t.Errorf("dnf root lacks %s.%s:\n%s", n, tt.arch, q)
				}
			}
		})
	}
}
