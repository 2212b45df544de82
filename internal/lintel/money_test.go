package lintel

import (
	"math"
	"testing"
)

func TestFormatMoney(t *testing.T) {
	cases := []struct {
		minor    int64
		currency string
		want     string
		input    string
	}{
		{0, "USD", "$0.00", "0.00"},
		{5, "USD", "$0.05", "0.05"},
		{125000, "USD", "$1,250.00", "1250.00"},
		{-1250, "EUR", "-€12.50", "-12.50"},
		{123456789, "CHF", "1,234,567.89 CHF", "1234567.89"},
		{1500, "JPY", "¥1,500", "1500"},
		{1234, "KWD", "1.234 KWD", "1.234"},
		{math.MinInt64, "USD", "-$92,233,720,368,547,758.08", "-92233720368547758.08"},
	}
	for _, c := range cases {
		if got := FormatMoney(c.minor, c.currency); got != c.want {
			t.Errorf("FormatMoney(%d, %s) = %q, want %q", c.minor, c.currency, got, c.want)
		}
		if got := FormatMoneyInput(c.minor, c.currency); got != c.input {
			t.Errorf("FormatMoneyInput(%d, %s) = %q, want %q", c.minor, c.currency, got, c.input)
		}
	}
}

func TestParseMoney(t *testing.T) {
	cases := []struct {
		in       string
		currency string
		want     int64
		wantErr  bool
	}{
		{"1250", "USD", 125000, false},
		{"1,250.5", "USD", 125050, false},
		{"$1,250.00", "USD", 125000, false},
		{" 0.07 ", "USD", 7, false},
		{".5", "USD", 50, false},
		{"-12.50", "EUR", -1250, false},
		{"1500", "JPY", 1500, false},
		{"1.5", "JPY", 0, true},
		{"1.234", "USD", 0, true},
		{"", "USD", 0, true},
		{"12a", "USD", 0, true},
		{"1e5", "USD", 0, true},
		{"99999999999999", "USD", 0, true},
		{".", "USD", 0, true},
	}
	for _, c := range cases {
		got, err := ParseMoney(c.in, c.currency)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("ParseMoney(%q, %s) = %d, %v; want %d, error %v", c.in, c.currency, got, err, c.want, c.wantErr)
		}
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"1250", "1,250.50", "-3", ".", "$", "1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseMoney(s, "USD")
		if err != nil {
			return
		}
		// What we parse, we can print and parse back to the same amount.
		back, err := ParseMoney(FormatMoneyInput(v, "USD"), "USD")
		if err != nil || back != v {
			t.Fatalf("round trip %q → %d → %q → %d, %v", s, v, FormatMoneyInput(v, "USD"), back, err)
		}
	})
}
