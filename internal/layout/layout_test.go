// Package layout checks the project's import rules (see STYLE.md): data
// flows one way, only cmd/ reads the environment, and the solver, the
// readers and the writers never reach the network.
package layout

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/slipway-build/slipway"

type pkgInfo struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) []pkgInfo {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps=false", "-json", module+"/...")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkgInfo
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

func rel(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }

func TestImportDirection(t *testing.T) {
	for _, p := range listPackages(t) {
		me := rel(p.ImportPath)
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			dep := rel(imp)
			if strings.HasPrefix(dep, "cmd/") {
				t.Errorf("%s imports %s: nothing imports cmd", me, dep)
			}
			if dep == "builder" && !strings.HasPrefix(me, "cmd/") && me != "e2e" {
				t.Errorf("%s imports builder: only cmd (and e2e) may", me)
			}
			// cmd reaches the pipeline through builder only: the
			// readers, writers, solver and repository client are
			// builder's business (builder/exports.go, rpminfo.go name
			// what cmd prints).
			if strings.HasPrefix(me, "cmd/") && (strings.HasPrefix(dep, "layers/") || dep == "builder/solve" || dep == "builder/repo") {
				t.Errorf("%s imports %s: cmd goes through builder", me, dep)
			}
		}
	}
}

// TestOneWayHouse: the folders below builder never reach back up into it.
// The readers and writers (layers/*), the OCI code (manifests) and
// signing import nothing under builder/; rpmmeta, the shared RPM
// vocabulary they all use, imports only the standard library.
func TestOneWayHouse(t *testing.T) {
	below := []string{"layers", "manifests", "signing", "rpmmeta"}
	seen := 0
	for _, p := range listPackages(t) {
		me := rel(p.ImportPath)
		if !slices.ContainsFunc(below, func(b string) bool { return me == b || strings.HasPrefix(me, b+"/") }) {
			continue
		}
		seen++
		for _, imp := range p.Imports {
			dep := rel(imp)
			if strings.HasPrefix(imp, module) && (dep == "builder" || strings.HasPrefix(dep, "builder/")) {
				t.Errorf("%s imports %s: nothing below builder imports builder/", me, dep)
			}
			if me == "rpmmeta" {
				if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") {
					t.Errorf("rpmmeta imports %s: only the standard library is allowed", imp)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("found none of the packages below builder")
	}
}

// TestNoNetworkInPureLayers keeps the solver, the readers and the writers
// free of net/http: they work on values and streams handed to them.
func TestNoNetworkInPureLayers(t *testing.T) {
	pure := []string{"rpmmeta", "builder/solve", "builder/config", "layers/rpm", "layers/rootfs", "layers/rpmdb", "layers/split"}
	for _, p := range listPackages(t) {
		me := rel(p.ImportPath)
		for _, prefix := range pure {
			if me != prefix && !strings.HasPrefix(me, prefix+"/") {
				continue
			}
			for _, d := range p.Deps {
				if d == "net/http" {
					t.Errorf("%s depends on net/http", me)
				}
			}
		}
	}
}

// TestEnvironmentOnlyInCmd: below cmd/, nothing reads environment variables.
func TestEnvironmentOnlyInCmd(t *testing.T) {
	forbidden := map[string]bool{"Getenv": true, "LookupEnv": true, "Environ": true, "ExpandEnv": true}
	for _, p := range listPackages(t) {
		me := rel(p.ImportPath)
		// cmd/ reads the environment; test-support packages (internal/,
		// e2e, *test helpers such as rootfstest) run real tools with it.
		if strings.HasPrefix(me, "cmd/") || strings.HasPrefix(me, "internal/") || me == "e2e" || strings.HasSuffix(me, "test") {
			continue
		}
		for _, f := range p.GoFiles {
			path := filepath.Join(p.Dir, f)
			file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "os" && forbidden[sel.Sel.Name] {
					t.Errorf("%s: os.%s below cmd/ (pass the value down as an option)", path, sel.Sel.Name)
				}
				return true
			})
		}
	}
}

// leafPackages are the internal/ packages production code may import: the
// credentials rule (internal/origin), shared by builder/repo and manifests,
// and internal/localfile, which every package reading a user's file uses
// (configurations, lockfiles, keys, RPMs). They import only the standard
// library, so any folder may import them and they drag nothing in.
var leafPackages = map[string]bool{"internal/origin": true, "internal/localfile": true}

// TestLeafPackages: the leaves import only the standard library, and they
// are the only internal/ packages that code outside tests and test helpers
// imports.
func TestLeafPackages(t *testing.T) {
	found := 0
	for _, p := range listPackages(t) {
		me := rel(p.ImportPath)
		if leafPackages[me] {
			found++
			for _, imp := range p.Imports {
				if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") {
					t.Errorf("%s imports %s: only the standard library is allowed", me, imp)
				}
			}
		}
		testSupport := strings.HasPrefix(me, "internal/") || me == "e2e" || strings.HasSuffix(me, "test")
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			if dep := rel(imp); strings.HasPrefix(dep, "internal/") && !leafPackages[dep] && !testSupport {
				t.Errorf("%s imports %s: only %v are for non-test code", me, dep, []string{"internal/localfile", "internal/origin"})
			}
		}
	}
	if found != len(leafPackages) {
		t.Errorf("found %d of the %d leaf packages", found, len(leafPackages))
	}
}
