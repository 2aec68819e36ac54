package ldcache

import (
	"slices"
	"testing"
)

func TestLibCmpSort(t *testing.T) {
	t.Parallel()
	libs := []Lib{
		{Soname: "libc.so.6", Flags: 0x303}, {Soname: "libfoo.so.10", Flags: 0x303}, {Soname: "libfoo.so.9", Flags: 0x303},
		{Soname: "libfoo.so.9", Flags: 0x0003}, {Soname: "ld-linux-x86-64.so.2", Flags: 0x303}, {Soname: "libz.so.1", Flags: 0x303},
	}
	Sort(libs)
	var got []string
	for _, l := range libs {
		got = append(got, l.Soname)
	}
	want := []string{"libz.so.1", "libfoo.so.10", "libfoo.so.9", "libfoo.so.9", "libc.so.6", "ld-linux-x86-64.so.2"}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
	if libs[2].Flags != 0x303 {
		t.Errorf("higher flags should come first: %+v", libs[2:4])
	}
	for _, tc := range []struct {
		a, b string
		sign int
	}{{"a2", "a10", -1}, {"a", "a", 0}, {"a1", "ab", 1}, {"ab", "a1", -1}, {"a", "ab", -1}} {
		c := LibCmp(tc.a, tc.b)
		if (c > 0) != (tc.sign > 0) || (c < 0) != (tc.sign < 0) {
			t.Errorf("LibCmp(%q, %q) = %d, want sign %d", tc.a, tc.b, c, tc.sign)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	t.Parallel()
	libs := []Lib{{"libfoo.so.1", "/usr/lib64/libfoo.so.1", 0x303, 0}, {"libc.so.6", "/usr/lib64/libc.so.6", 0x303, 0}}
	data := Encode(libs, "gen")
	got, gen, err := Decode(data)
	if err != nil || gen != "gen" || !slices.Equal(got, libs) {
		t.Fatalf("Decode = %v %q %v", got, gen, err)
	}
	if _, _, err := Decode(Encode(nil, "")); err != nil {
		t.Errorf("empty cache: %v", err)
	}
}

func TestParseConf(t *testing.T) {
	t.Parallel()
	got := ParseConf([]byte("# c\n/usr/lib64\ninclude ld.so.conf.d/*.conf\n/opt/a:/opt/b/ # x\nhwcap 1 x\n"), "/etc")
	want := []ConfLine{{Dir: "/usr/lib64"}, {Include: "/etc/ld.so.conf.d/*.conf"}, {Dir: "/opt/a"}, {Dir: "/opt/b"}}
	if !slices.Equal(got, want) {
		t.Errorf("ParseConf = %q, want %q", got, want)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode([]Lib{{"libc.so.6", "/usr/lib64/libc.so.6", 0x303, 0}}, "x"))
	f.Add([]byte("glibc-ld.so.cache1.1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		libs, gen, err := Decode(data)
		if err != nil {
			return
		}
		again, _, err := Decode(Encode(libs, gen))
		if err != nil || len(again) != len(libs) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
