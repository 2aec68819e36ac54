package rootfs

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// capNames are the Linux capability names in bit order (linux/capability.h).
var capNames = [...]string{
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
	"setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
	"net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
	"sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
	"setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
}

const (
	vfsCapRevision2             = 0x02000000
	vfsCapFlagsEffective        = 0x000001
	vfsCapDataSize              = 4 + 2*8
	capXattr                    = "security.capability"
	paxCapRecord                = "SCHILY.xattr." + capXattr
	capSetEffective             = 0
	capSetPermitted             = 1
	capSetInheritable           = 2
	maxCapBits                  = 64
	allCaps              uint64 = 1<<len(capNames) - 1
)

// ParseCaps parses capabilities in cap_from_text(3) form
// ("cap_net_bind_service=ep", "cap_a,cap_b+eip cap_c-i", "=ep" for all)
// and returns the effective, permitted and inheritable sets.
func ParseCaps(text string) (eff, perm, inh uint64, err error) {
	var sets [3]uint64
	clauses := strings.Fields(text)
	if len(clauses) == 0 {
		return 0, 0, 0, fmt.Errorf("capabilities %q: empty", text)
	}
	for _, cl := range clauses {
		i := strings.IndexAny(cl, "=+-")
		if i < 0 {
			return 0, 0, 0, fmt.Errorf("capabilities %q: clause %q has no operator (=, + or -)", text, cl)
		}
		var mask uint64
		names := cl[:i]
		if names == "" || strings.EqualFold(names, "all") {
			mask = allCaps
		} else {
			for n := range strings.SplitSeq(names, ",") {
				b, err := capBit(n)
				if err != nil {
					return 0, 0, 0, fmt.Errorf("capabilities %q: %w", text, err)
				}
				mask |= 1 << b
			}
		}
		rest := cl[i:]
		for rest != "" {
			op := rest[0]
			j := 1
			for j < len(rest) && strings.IndexByte("=+-", rest[j]) < 0 {
				j++
			}
			flags := rest[1:j]
			rest = rest[j:]
			if op == '=' {
				for k := range sets {
					sets[k] &^= mask
				}
			} else if flags == "" {
				return 0, 0, 0, fmt.Errorf("capabilities %q: %q needs flags", text, string(op))
			}
			for _, f := range flags {
				var k int
				switch f {
				case 'e', 'E':
					k = capSetEffective
				case 'p', 'P':
					k = capSetPermitted
				case 'i', 'I':
					k = capSetInheritable
				default:
					return 0, 0, 0, fmt.Errorf("capabilities %q: unknown flag %q", text, f)
				}
				if op == '-' {
					sets[k] &^= mask
				} else {
					sets[k] |= mask
				}
			}
		}
	}
	return sets[capSetEffective], sets[capSetPermitted], sets[capSetInheritable], nil
}

func capBit(name string) (uint, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if v, err := strconv.ParseUint(n, 10, 8); err == nil {
		if v >= maxCapBits {
			return 0, fmt.Errorf("capability number %d out of range", v)
		}
		return uint(v), nil
	}
	n = strings.TrimPrefix(n, "cap_")
	for i, c := range capNames {
		if c == n {
			return uint(i), nil
		}
	}
	return 0, fmt.Errorf("unknown capability %q", name)
}

// CapsXattr encodes capabilities in cap_from_text form as the value of the
// security.capability extended attribute (struct vfs_cap_data, revision 2),
// as setcap(8) writes it. The effective set is one flag in this format: it
// is set when any capability is effective.
func CapsXattr(text string) ([]byte, error) {
	eff, perm, inh, err := ParseCaps(text)
	if err != nil {
		return nil, err
	}
	if perm == 0 && inh == 0 {
		// setcap refuses to write an empty set; an empty "=" clears caps.
		return nil, nil
	}
	b := make([]byte, vfsCapDataSize)
	magic := uint32(vfsCapRevision2)
	if eff != 0 {
		magic |= vfsCapFlagsEffective
	}
	binary.LittleEndian.PutUint32(b[0:], magic)
	binary.LittleEndian.PutUint32(b[4:], uint32(perm))
	binary.LittleEndian.PutUint32(b[8:], uint32(inh))
	binary.LittleEndian.PutUint32(b[12:], uint32(perm>>32))
	binary.LittleEndian.PutUint32(b[16:], uint32(inh>>32))
	return b, nil
}
