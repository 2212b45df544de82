package lintel

import "testing"

func TestTextProblem(t *testing.T) {
	for _, tc := range []struct {
		in        string
		multiline bool
		ok        bool
	}{
		{"Birch Lane", false, true},
		{"Zoë’s flat 🏠", false, true},
		{"", false, true},
		{"line one\r\nline\ttwo", true, true},
		{"line one\nline two", false, false},
		{"a\tb", false, false},
		{"a\x00b", true, false},
		{"a\x1bb", true, false},
		{"a\x7fb", true, false},
		{"\xff\xfe\xfd", true, false},
		{"caf\xc3", false, false},
	} {
		if got := TextProblem(tc.in, tc.multiline) == ""; got != tc.ok {
			t.Errorf("TextProblem(%q, %v) accepts = %v, want %v", tc.in, tc.multiline, got, tc.ok)
		}
	}
}
