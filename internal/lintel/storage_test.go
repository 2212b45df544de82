package lintel

import "testing"

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"},
		{1, "1 byte"},
		{1023, "1023 bytes"},
		{1024, "1 KB"},
		{340*KB + 1000, "340 KB"},
		{15 * MB, "15 MB"},
		{MB + MB/2, "1.5 MB"},
		{10 * GB, "10 GB"},
		{2*GB + GB/10 + 1, "2.1 GB"},
		{10*GB - 1, "9.9 GB"}, // rounded down: not full until it is
		{3 * TB, "3 TB"},
		{1<<63 - 1, "8388607.9 TB"},
		{-2 * MB, "-2 MB"},
	} {
		if got := FormatBytes(tc.n); got != tc.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"10GB", 10 * GB, true},
		{"10 GB", 10 * GB, true},
		{"10gb", 10 * GB, true},
		{"10GiB", 10 * GB, true},
		{"10G", 10 * GB, true},
		{"2.5 GB", 2*GB + GB/2, true},
		{"500MB", 500 * MB, true},
		{"1tb", TB, true},
		{"64 KB", 64 * KB, true},
		{"1073741824", GB, true},
		{"100 bytes", 100, true},
		{"100B", 100, true},
		{"0", 0, true},
		{" 20GB ", 20 * GB, true},
		{"", 0, false},
		{"GB", 0, false},
		{"ten GB", 0, false},
		{"10 PB", 0, false},
		{"-5GB", 0, false},
		{"1.2.3GB", 0, false},
		{"99999999999 TB", 0, false},
		{"10 GB extra", 0, false},
	} {
		got, err := ParseBytes(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
		if !tc.ok && err == nil {
			t.Errorf("ParseBytes(%q) = %d, want an error", tc.in, got)
		}
	}
}

// What FormatBytes writes, ParseBytes reads back (to the shown precision).
func FuzzParseBytes(f *testing.F) {
	for _, s := range []string{"10GB", "2.5 gb", "1", "0.0001TB", "9223372036854775807", ".5GB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseBytes(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("ParseBytes(%q) = %d, negative", s, n)
		}
		shown := FormatBytes(n)
		m, err := ParseBytes(shown)
		if err != nil {
			t.Fatalf("ParseBytes(FormatBytes(%d) = %q): %v", n, shown, err)
		}
		if m > n || n-m > max(KB, n/10) {
			t.Fatalf("%d is shown as %q, which reads back as %d", n, shown, m)
		}
	})
}
