package main

import (
	"encoding/base64"
	"strings"

	"github.com/slipway-build/slipway/internal/origin"
)

// minRedactLen is the shortest password looked for as such in a message:
// a shorter one would match ordinary words and mangle the message.
const minRedactLen = 8

// redactMessage keeps a registry password out of msg by structure, not
// by blind substring replacement (with which a one-letter password
// mangled every word holding that letter): the password of every URL's
// user info is replaced (origin.RedactURL), and so are the exact forms a
// credential takes on the wire: base64 of user:password (a Basic
// Authorization value) and, when it is at least minRedactLen long, the
// password itself. Go's and go-containerregistry's messages never hold
// the password otherwise; the last two catch a server echoing it back.
func redactMessage(msg, user, password string) string {
	msg = origin.RedactURL(msg)
	if password == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, base64.StdEncoding.EncodeToString([]byte(user+":"+password)), "****")
	if len(password) >= minRedactLen {
		msg = strings.ReplaceAll(msg, password, "****")
	}
	return msg
}
