package sqldb

import (
	"strings"
	"testing"
)

func TestFTSQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q, want string
		ok      bool
	}{
		{"ab", "", false},
		{"  ab  ", "", false},
		{"abc", `"abc"`, true},
		{"  abc  ", `"abc"`, true},
		{"abcdefg", `"abc" AND "def" AND "efg"`, true}, // the last trigram overlaps to reach the end
		{"abcdef", `"abc" AND "def"`, true},
		{"aaaaaa", `"aaa"`, true},
		{`a"b"c`, `"a""b" AND "b""c"`, true},
		{`NEAR(a b)`, `"NEA" AND "R(a" AND " b)"`, true},
		{"zoë b", `"zoë" AND "ë b"`, true},
		{"\xffabc", "", false},
	} {
		got, ok := ftsQuery(tc.q)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ftsQuery(%q) = %q, %v; want %q, %v", tc.q, got, ok, tc.want, tc.ok)
		}
	}
	long, ok := ftsQuery(strings.Repeat("abcdefghij", 30))
	if n := strings.Count(long, " AND ") + 1; !ok || n > 12 {
		t.Errorf("a long query makes %d terms: %q", n, long)
	}
}
