package scriptlet

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// CA trust extraction: `update-ca-trust [extract]` (ca-certificates'
// %post on Azure Linux and Fedora), `trust extract-compat` (which runs
// it) and `ca-legacy install`.

const emCATrust = "ca-trust"

const caExtracted = "/etc/pki/ca-trust/extracted"

// caOutput is one `trust extract` of Azure Linux's update-ca-trust.
type caOutput struct {
	path    string
	format  string // pem-bundle, openssl-bundle, java-cacerts, edk2-cacerts, pem-directory-hash
	filter  caFilter
	comment bool
	// optional outputs are made only when their folder is in the image.
	optional bool
}

// caOutputs are the extractions of Azure Linux's update-ca-trust, in its
// order, then, where the image has the folder, the hashed one of
// Fedora's (with its two compatibility links, made by the script).
var caOutputs = []caOutput{
	{path: caExtracted + "/openssl/ca-bundle.trust.crt", format: "openssl-bundle", comment: true},
	{path: caExtracted + "/pem/tls-ca-bundle.pem", format: "pem-bundle", filter: caFilter{anchorsOnly: true, purpose: oidServerAuth}, comment: true},
	{path: caExtracted + "/pem/email-ca-bundle.pem", format: "pem-bundle", filter: caFilter{anchorsOnly: true, purpose: oidEmail}, comment: true},
	{path: caExtracted + "/pem/objsign-ca-bundle.pem", format: "pem-bundle", filter: caFilter{anchorsOnly: true, purpose: oidCodeSigning}, comment: true},
	{path: caExtracted + "/java/cacerts", format: "java-cacerts", filter: caFilter{anchorsOnly: true, purpose: oidServerAuth}},
	{path: caExtracted + "/edk2/cacerts.bin", format: "edk2-cacerts", filter: caFilter{anchorsOnly: true, purpose: oidServerAuth}},
	{path: caExtracted + "/pem/directory-hash", format: "pem-directory-hash", filter: caFilter{anchorsOnly: true, purpose: oidServerAuth}, optional: true},
}

// fedoraHashDirLinks are the links Fedora's update-ca-trust adds to the
// hashed folder: Debian's bundle name and the classic one.
var fedoraHashDirLinks = []string{"ca-certificates.crt", "ca-bundle.crt"}

func checkUpdateCATrust(s *simple) (class, error) {
	if len(s.args) > 2 || (len(s.args) == 2 && s.args[1] != "extract") {
		return class{}, notUnderstood("update-ca-trust %s", strings.Join(s.args[1:], " "))
	}
	return class{emulation: emCATrust}, noFileOutput(s)
}

func checkTrust(s *simple) (class, error) {
	if len(s.args) != 2 || s.args[1] != "extract-compat" {
		return class{}, notUnderstood("trust %s", strings.Join(s.args[1:], " "))
	}
	return class{emulation: emCATrust}, noFileOutput(s)
}

func runUpdateCATrust(r *runner, s *simple) (int, error) {
	return updateCATrust(r.env.Image, r.env.BuildTime, caSourcePaths, func(m string) { r.warn("%s", m) }), nil
}

// caFile is one file or link an extraction leaves.
type caFile struct {
	path string
	data []byte
	link string
	dir  bool
}

// updateCATrust extracts every output from the trust sources. All
// outputs are computed before the first is written.
func updateCATrust(img Image, when time.Time, sources []string, warn func(string)) int {
	st := loadCAStore(img, sources, warn)
	status := 0
	type planned struct {
		out   caOutput
		files []caFile
	}
	var plan []planned
	for _, o := range caOutputs {
		dir := path.Dir(o.path)
		if o.optional {
			dir = o.path
		}
		if fi, ok := img.Stat(dir); !ok || fi.Type != 'd' {
			if !o.optional {
				warn(fmt.Sprintf("p11-kit: couldn't create file: %s: No such file or directory", o.path))
				status = 1
			}
			continue
		}
		objs := st.extract(o.filter)
		var files []caFile
		switch o.format {
		case "pem-bundle":
			files = []caFile{{path: o.path, data: pemBundle(objs, o.comment)}}
		case "openssl-bundle":
			files = []caFile{{path: o.path, data: st.opensslBundle(objs, o.comment)}}
		case "java-cacerts":
			files = []caFile{{path: o.path, data: javaCacerts(objs, when)}}
		case "edk2-cacerts":
			files = []caFile{{path: o.path, data: edk2Cacerts(objs)}}
		case "pem-directory-hash":
			files = []caFile{{path: o.path, dir: true}}
			for _, f := range st.hashDirectory(objs, false) {
				files = append(files, caFile{path: o.path + "/" + f.name, data: f.data, link: f.link})
			}
			for _, l := range fedoraHashDirLinks {
				files = append(files, caFile{path: o.path + "/" + l, link: "../tls-ca-bundle.pem"})
			}
		}
		plan = append(plan, planned{o, files})
	}
	for _, p := range plan {
		if err := writeCAOutput(img, p.files); err != nil {
			warn(fmt.Sprintf("p11-kit: writing %s: %v", p.out.path, err))
			status = 1
		}
	}
	return status
}

// writeCAOutput replaces an output as p11-kit's --overwrite does: files
// are new (mode 0444, root), a folder's old content goes.
func writeCAOutput(img Image, files []caFile) error {
	for _, f := range files {
		if f.dir {
			if err := clearDir(img, f.path); err != nil {
				return err
			}
			if err := img.Chmod(f.path, 0o555); err != nil {
				return err
			}
			continue
		}
		if fi, ok := img.Lstat(f.path); ok {
			if fi.Type == 'd' {
				return fmt.Errorf("%s is a folder", f.path)
			}
			if err := img.Remove(f.path); err != nil {
				return err
			}
		}
		if f.link != "" {
			if err := img.Symlink(f.link, f.path); err != nil {
				return err
			}
			continue
		}
		if err := img.WriteFile(f.path, f.data, 0o444); err != nil {
			return err
		}
	}
	return nil
}

// clearDir removes what is in folder d (not following links).
func clearDir(img Image, d string) error {
	names, _ := img.ReadDir(d)
	names = slices.Clone(names)
	slices.Sort(names)
	for _, n := range names {
		p := d + "/" + n
		if fi, ok := img.Lstat(p); ok && fi.Type == 'd' {
			if err := clearDir(img, p); err != nil {
				return err
			}
		}
		if err := img.Remove(p); err != nil {
			return err
		}
	}
	return nil
}

// ca-legacy install (Azure Linux, older Fedora): points
// /etc/pki/ca-trust/source/ca-bundle.legacy.crt at the default or the
// disabled legacy bundle, as ca-legacy.conf says.

const (
	caLegacyConf    = "/etc/pki/ca-trust/ca-legacy.conf"
	caLegacyLink    = "/etc/pki/ca-trust/source/ca-bundle.legacy.crt"
	caLegacyDefault = "/usr/share/pki/ca-trust-legacy/ca-bundle.legacy.default.crt"
	caLegacyDisable = "/usr/share/pki/ca-trust-legacy/ca-bundle.legacy.disable.crt"
)

var caLegacyDisabled = regexp.MustCompile(`(?im)^legacy *= *disable *$`)

func checkCALegacy(s *simple) (class, error) {
	if len(s.args) != 2 || s.args[1] != "install" {
		return class{}, notUnderstood("ca-legacy %s", strings.Join(s.args[1:], " "))
	}
	return class{emulation: emCATrust}, noFileOutput(s)
}

func runCALegacy(r *runner, s *simple) (int, error) {
	img := r.env.Image
	target := caLegacyDefault
	if data, ok := img.ReadFile(caLegacyConf); ok && caLegacyDisabled.Match(data) {
		target = caLegacyDisable
	}
	if fi, ok := img.Lstat(caLegacyLink); ok {
		if fi.Type == 'd' {
			r.warn("ln: cannot overwrite directory '%s'", caLegacyLink)
			return 1, nil
		}
		if err := img.Remove(caLegacyLink); err != nil {
			r.warn("ln: %v", err)
			return 1, nil
		}
	}
	if err := img.Symlink(target, caLegacyLink); err != nil {
		r.warn("ln: %v", err)
		return 1, nil
	}
	return 0, nil
}
