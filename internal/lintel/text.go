package lintel

import (
	"strings"
	"unicode/utf8"
)

// TextProblem says what to do about s when it cannot be stored as text, or
// returns "" when it can. PostgreSQL refuses bytes that are not UTF-8 and
// NUL bytes outright, and SQLite would keep them and show them back broken,
// so input is held to the same rule on both databases before any store
// call. Other control characters have no use in typed text either; only a
// multi-line field (a textarea) may hold tabs and line breaks
// (SECURITY.md 34).
func TextProblem(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return "This holds bytes that are not text (not UTF-8). Retype it rather than pasting it, and send the form again."
	}
	bad := strings.IndexFunc(s, func(r rune) bool {
		if r == '\t' || r == '\n' || r == '\r' {
			return !multiline
		}
		return r < 0x20 || r == 0x7f
	})
	switch {
	case bad < 0:
		return ""
	case s[bad] == '\t' || s[bad] == '\n' || s[bad] == '\r':
		return "This field takes one line: remove the tab or line break, and send the form again."
	}
	return "This holds a control character (such as a NUL byte) that cannot be stored. Remove it, or retype the text, and send the form again."
}
