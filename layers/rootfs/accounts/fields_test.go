package accounts

import "testing"

// TestFieldsRefused: a ':' or a control character cannot reach a field of
// /etc/passwd or /etc/group, from a sysusers.d line or a configured
// account.
func TestFieldsRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line, want string
	}{
		{"u svc - - /home/svc /bin/sh\x00", `bad line 1: field "/bin/sh\x00" holds ':' or a control character`},
		{"u svc - \"a\rb\" /home/svc", `bad line 1: field "a\rb" holds ':' or a control character`},
		{"u svc - \"x:0:0\"", `bad line 1: field "x:0:0" holds ':' or a control character`},
		{"m svc wh\x1beel", `bad line 1: field "wh\x1beel" holds ':' or a control character`},
	} {
		if _, err := ParseSysusers("bad", []byte(tc.line)); err == nil || err.Error() != tc.want {
			t.Errorf("ParseSysusers(%q) = %v, want %q", tc.line, err, tc.want)
		}
	}
	users := []struct {
		u    User
		want string
	}{
		{User{Name: "u", Home: "/home/u", Shell: "/bin/sh\x00"}, `user "u": shell "/bin/sh\x00" holds ':' or a control character`},
		{User{Name: "u", Home: "/home/u\nroot::0:0::/:/bin/sh", Shell: "/bin/sh"}, `user "u": home "/home/u\nroot::0:0::/:/bin/sh" holds ':' or a control character`},
		{User{Name: "u", Gecos: "a:b", Home: "/", Shell: "/bin/sh"}, `user "u": GECOS "a:b" holds ':' or a control character`},
		{User{Name: "u\x7f", Home: "/", Shell: "/bin/sh"}, `user "u\x7f": name "u\x7f" holds ':' or a control character`},
		{User{Name: "u", Gecos: "Jo, Room 1", Home: "/", Shell: "/bin/sh"}, ""},
	}
	for _, tc := range users {
		err := tc.u.Check()
		if (err == nil) != (tc.want == "") || err != nil && err.Error() != tc.want {
			t.Errorf("%+v.Check() = %v, want %q", tc.u, err, tc.want)
		}
	}
	for _, tc := range []struct {
		g    Group
		want string
	}{
		{Group{Name: "g:x"}, `group "g:x": name holds ':', ',' or a control character`},
		{Group{Name: "g", Members: []string{"a", "b,root"}}, `group "g": member "b,root" holds ':', ',' or a control character`},
		{Group{Name: "g", Members: []string{"a\n"}}, `group "g": member "a\n" holds ':', ',' or a control character`},
		{Group{Name: "g", Members: []string{"a", "b"}}, ""},
	} {
		err := tc.g.Check()
		if (err == nil) != (tc.want == "") || err != nil && err.Error() != tc.want {
			t.Errorf("%+v.Check() = %v, want %q", tc.g, err, tc.want)
		}
	}
}
