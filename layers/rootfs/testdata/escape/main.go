// Command escape leaves a chroot the classic way (chroot into a
// subfolder, climb above it, chroot there) and tries to create a file in
// the host folder named by /etc/escape-target. TestRunScriptletsConfined
// runs it as a scriptlet; the exit status says how far it got (3: out of
// the chroot, but the write was refused).
package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

func main() {
	target, err := os.ReadFile("/etc/escape-target")
	if err != nil {
		fmt.Println("no target:", err)
		os.Exit(4)
	}
	if err := os.MkdirAll("/escape-sub", 0o755); err != nil {
		fmt.Println("mkdir:", err)
	}
	if err := syscall.Chroot("/escape-sub"); err != nil {
		fmt.Println("chroot:", err)
		os.Exit(4)
	}
	for range 64 {
		_ = syscall.Chdir("..")
	}
	if err := syscall.Chroot("."); err != nil {
		fmt.Println("chroot .:", err)
		os.Exit(4)
	}
	p := strings.TrimSpace(string(target)) + "/escaped"
	if err := os.WriteFile(p, []byte("out\n"), 0o644); err != nil {
		fmt.Println("escaped, but cannot write:", err)
		os.Exit(3) // reported, with this output
	}
	fmt.Println("escaped and wrote", p)
}
