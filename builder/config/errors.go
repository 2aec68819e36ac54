package config

import (
	"fmt"
	"strconv"
)

// Error is a problem with one key of one configuration file. Its message
// reads "FILE:LINE: KEY: MSG" (the line is left out when unknown).
type Error struct {
	File string
	Line int    // 0 when unknown
	Key  string // "image.name", "repository[base].priority"; may be empty
	Msg  string
	Err  error // the cause, if any
}

func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if s != "" {
		s += ": "
	}
	if e.Key != "" {
		s += e.Key + ": "
	}
	s += e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func errAt(p Pos, key, format string, a ...any) *Error {
	return &Error{File: p.File, Line: p.Line, Key: key, Msg: fmt.Sprintf(format, a...)}
}
