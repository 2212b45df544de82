package lintel

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Sizes are counted in binary units, as operating systems and Lintel's own
// upload limits ("15 MB a photo" is 15 × 2²⁰ bytes) count them, and written
// with the labels people know: KB, MB, GB, TB.
const (
	KB int64 = 1 << 10
	MB int64 = 1 << 20
	GB int64 = 1 << 30
	TB int64 = 1 << 40
)

var sizeUnits = []struct {
	label string
	size  int64
}{{"TB", TB}, {"GB", GB}, {"MB", MB}, {"KB", KB}}

// FormatBytes writes a size for people: "512 bytes", "340 KB", "2.1 GB",
// "10 GB" (one decimal from MB up, rounded down so "9.99 GB used of 10 GB"
// never reads as full; none when it is ".0").
func FormatBytes(n int64) string {
	if n < 0 {
		return "-" + FormatBytes(-n)
	}
	for _, u := range sizeUnits {
		if n < u.size {
			continue
		}
		if u.size == KB {
			return strconv.FormatInt(n/KB, 10) + " KB"
		}
		tenths := n/u.size*10 + n%u.size*10/u.size
		if tenths%10 == 0 {
			return strconv.FormatInt(tenths/10, 10) + " " + u.label
		}
		return fmt.Sprintf("%d.%d %s", tenths/10, tenths%10, u.label)
	}
	if n == 1 {
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// ParseBytes reads a size an operator types: a number, optionally with a
// decimal part, and a unit — B, KB, MB, GB, TB (binary, as FormatBytes
// writes them; KiB … TiB are taken too) — with or without a space, in any
// case: "10GB", "2.5 gb", "500 MB", "1073741824". A bare number is bytes.
func ParseBytes(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	mult := int64(1)
	switch strings.TrimSuffix(strings.Replace(unit, "IB", "B", 1), "S") {
	case "", "B", "BYTE":
	case "KB", "K":
		mult = KB
	case "MB", "M":
		mult = MB
	case "GB", "G":
		mult = GB
	case "TB", "T":
		mult = TB
	default:
		return 0, fmt.Errorf("size %q: use a number with a unit such as 500MB, 10GB or 1TB", s)
	}
	if num == "" || num == "." || strings.Count(num, ".") > 1 {
		return 0, fmt.Errorf("size %q: use a number with a unit such as 500MB, 10GB or 1TB", s)
	}
	whole, frac, _ := strings.Cut(num, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil && whole != "" || w > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	n := w * mult
	if frac != "" {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return 0, fmt.Errorf("size %q: use a number with a unit such as 500MB, 10GB or 1TB", s)
		}
		part := int64(f * float64(mult))
		if part > math.MaxInt64-n {
			return 0, fmt.Errorf("size %q is too large", s)
		}
		n += part
	}
	return n, nil
}
