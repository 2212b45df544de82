package lintel

import (
	"fmt"
	"strconv"
	"strings"
)

// Money amounts are int64 minor units (cents) of a company's ISO 4217
// currency. Never floats.

// minorDigits is the number of minor-unit digits of the currencies whose
// exponent is not 2.
var minorDigits = map[string]int{"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3, "JOD": 3}

var currencySymbols = map[string]string{"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

// CurrencyDigits returns how many minor-unit digits currency has.
func CurrencyDigits(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// ValidCurrency reports whether code looks like an ISO 4217 code.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for _, c := range code {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// FormatMoney formats minor units for people: "$1,250.00", "-€12.50".
func FormatMoney(minor int64, currency string) string {
	sign, whole, frac := splitMinor(minor, currency)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	s := b.String() + frac
	if sym, ok := currencySymbols[currency]; ok {
		return sign + sym + s
	}
	return sign + s + " " + currency
}

// FormatMoneyInput formats minor units for an input field: "1250.00".
func FormatMoneyInput(minor int64, currency string) string {
	sign, whole, frac := splitMinor(minor, currency)
	return sign + whole + frac
}

// splitMinor splits minor units into sign, whole units and ".fraction".
func splitMinor(minor int64, currency string) (sign, whole, frac string) {
	u := uint64(minor)
	if minor < 0 {
		sign = "-"
		u = -u // two's complement: right for MinInt64 too
	}
	digits := CurrencyDigits(currency)
	div := uint64(1)
	for range digits {
		div *= 10
	}
	whole = strconv.FormatUint(u/div, 10)
	if digits > 0 {
		frac = fmt.Sprintf(".%0*d", digits, u%div)
	}
	return sign, whole, frac
}

// ParseMoney parses what a person types ("1,250", "1250.5", "$1,250.00")
// into minor units of currency. It refuses more decimals than the currency
// has rather than rounding someone's money.
func ParseMoney(s, currency string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "$€£¥")
	s = strings.ReplaceAll(s, ",", "")
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return 0, fmt.Errorf("enter an amount, e.g. 1250.00")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	digits := CurrencyDigits(currency)
	if whole == "" && !hasFrac || (hasFrac && frac == "" && whole == "") {
		return 0, fmt.Errorf("enter an amount, e.g. 1250.00")
	}
	if len(frac) > digits {
		return 0, fmt.Errorf("use at most %d decimal places", digits)
	}
	for len(frac) < digits {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("use only digits and a decimal point, e.g. 1250.00")
		}
	}
	if len(whole) > 13 {
		return 0, fmt.Errorf("that amount is too large")
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("that amount is too large")
	}
	if neg {
		v = -v
	}
	return v, nil
}
