package main

import (
	"errors"
	"testing"
)

func TestRedactMessage(t *testing.T) {
	t.Parallel()
	cases := []struct{ msg, user, password, want string }{
		// a short password leaves the message alone
		{"pushing to reg/a: authentication failed (check the credentials)", "u", "a", "pushing to reg/a: authentication failed (check the credentials)"},
		{"not a valid URL", "u", "a", "not a valid URL"},
		{"Get http://u:a@reg.example/v2/: EOF", "u", "a", "Get http://u:xxxxx@reg.example/v2/: EOF"},
		{"Get http://u:other@reg.example/v2/: EOF", "", "", "Get http://u:xxxxx@reg.example/v2/: EOF"},
		{"server said: Basic dTph is wrong", "u", "a", "server said: Basic **** is wrong"},
		{`server said: "correct-horse" is wrong`, "u", "correct-horse", `server said: "****" is wrong`},
		{"nothing here", "u", "pw", "nothing here"},
	}
	for _, tc := range cases {
		if got := redactMessage(tc.msg, tc.user, tc.password); got != tc.want {
			t.Errorf("redactMessage(%q, %q, %q) = %q, want %q", tc.msg, tc.user, tc.password, got, tc.want)
		}
	}
	g := &globals{Getenv: func(k string) string {
		return map[string]string{registryUserEnv: "u", registryPasswordEnv: "a"}[k]
	}}
	orig := errors.New("pushing to reg/a: authentication failed")
	if got := redact(g, orig); got != orig {
		t.Errorf("redact changed %q into %q", orig, got)
	}
}
