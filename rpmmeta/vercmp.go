package rpmmeta

// Vercmp compares two version (or release) strings the way rpm 4.18's
// rpmvercmp does and returns -1, 0 or 1.
//
// The strings are cut into segments of ASCII digits or ASCII letters;
// anything else separates segments. Segments compare pairwise: numeric
// segments by value (leading zeros ignored) and alphabetic ones bytewise;
// a numeric segment is newer than an alphabetic one. '~' sorts before
// everything, even the end of the string ("1.0~rc1" < "1.0"); '^' sorts
// after the end of the string but before any other segment
// ("1.0" < "1.0^git1" < "1.0.1"). When one string runs out of segments,
// the one with segments left is newer.
func Vercmp(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isAlnum(a[i]) && a[i] != '~' && a[i] != '^' {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) && b[j] != '~' && b[j] != '^' {
			j++
		}
		// Tilde: sorts before everything.
		ta, tb := i < len(a) && a[i] == '~', j < len(b) && b[j] == '~'
		if ta || tb {
			if !ta {
				return 1
			}
			if !tb {
				return -1
			}
			i++
			j++
			continue
		}
		// Caret: sorts after the end but before anything else.
		ca, cb := i < len(a) && a[i] == '^', j < len(b) && b[j] == '^'
		if ca || cb {
			if i >= len(a) {
				return -1
			}
			if j >= len(b) {
				return 1
			}
			if !ca {
				return 1
			}
			if !cb {
				return -1
			}
			i++
			j++
			continue
		}
		if i >= len(a) || j >= len(b) {
			break
		}
		si, sj := i, j
		numeric := isDigit(a[i])
		if numeric {
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
		} else {
			for i < len(a) && isAlpha(a[i]) {
				i++
			}
			for j < len(b) && isAlpha(b[j]) {
				j++
			}
		}
		segA, segB := a[si:i], b[sj:j]
		if segB == "" {
			// Different segment types: the numeric one is newer.
			if numeric {
				return 1
			}
			return -1
		}
		if numeric {
			for len(segA) > 0 && segA[0] == '0' {
				segA = segA[1:]
			}
			for len(segB) > 0 && segB[0] == '0' {
				segB = segB[1:]
			}
			if len(segA) != len(segB) {
				if len(segA) > len(segB) {
					return 1
				}
				return -1
			}
		}
		if segA != segB {
			if segA < segB {
				return -1
			}
			return 1
		}
	}
	switch {
	case i >= len(a) && j >= len(b):
		return 0
	case i < len(a):
		return 1
	default:
		return -1
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// Compare orders two EVRs: epoch first, then version, then release, each
// with Vercmp. A missing epoch is epoch 0. If either release is empty the
// releases compare equal: that is dependency-match semantics ("foo >= 1.0"
// is satisfied by every release of 1.0), and it keeps Compare usable for
// ordering packages, whose releases are always set.
func Compare(a, b EVR) int {
	if a.Epoch != b.Epoch {
		if a.Epoch < b.Epoch {
			return -1
		}
		return 1
	}
	if c := Vercmp(a.Version, b.Version); c != 0 {
		return c
	}
	if a.Release == "" || b.Release == "" {
		return 0
	}
	return Vercmp(a.Release, b.Release)
}
