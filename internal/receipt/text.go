package receipt

import (
	"bytes"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Text reads back the text a PDF of this package shows, one string per
// piece of text drawn, joined by newlines. It understands only what this
// package writes (uncompressed content, literal strings shown with Tj in
// Windows-1252), which is enough for tests and for checking a stored
// receipt; it is not a general PDF reader.
func Text(pdf []byte) string {
	var out []string
	rest := pdf
	for {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("endstream"))
		if j < 0 {
			break
		}
		out = append(out, shownStrings(rest[:j])...)
		rest = rest[j:]
	}
	return strings.Join(out, "\n")
}

// shownStrings returns the literal strings of a content stream that a Tj
// operator shows, decoded from Windows-1252.
func shownStrings(content []byte) []string {
	var out []string
	for i := 0; i < len(content); i++ {
		if content[i] != '(' {
			continue
		}
		s, end := literal(content, i)
		if end < 0 {
			return out
		}
		i = end
		if after := bytes.TrimLeft(content[end+1:], " \r\n"); bytes.HasPrefix(after, []byte("Tj")) {
			b, err := charmap.Windows1252.NewDecoder().Bytes(s)
			if err != nil {
				b = s
			}
			out = append(out, string(b))
		}
	}
	return out
}

// literal reads the PDF literal string starting at content[start] == '('
// and returns its bytes and the index of the closing parenthesis (-1 when
// it does not close).
func literal(content []byte, start int) ([]byte, int) {
	var b []byte
	depth := 0
	for i := start; i < len(content); i++ {
		c := content[i]
		switch {
		case c == '\\' && i+1 < len(content):
			i++
			switch e := content[i]; e {
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			default:
				if e >= '0' && e <= '7' {
					v, n := 0, 0
					for ; n < 3 && i < len(content) && content[i] >= '0' && content[i] <= '7'; n++ {
						v = v*8 + int(content[i]-'0')
						i++
					}
					i--
					b = append(b, byte(v))
				} else {
					b = append(b, e)
				}
			}
		case c == '(':
			if depth > 0 {
				b = append(b, c)
			}
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return b, i
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return nil, -1
}
