package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"lintel.dev/lintel/internal/i18n"
	"lintel.dev/lintel/internal/lintel"
)

// Portal pages show messages that Go code wrote in English before the page
// knew its language: field errors from the store and the upload reader,
// conflict messages, timeline entries stored with the request, the access
// times a resident ticked. Fixed ones are catalog keys as they are. The
// ones built with values ("Keep this under 200 characters.") are matched
// back against the formats below, so the same catalog entry — the format —
// translates them with their values. English pages skip all of this and
// show the text exactly as written.

// argKind says how a value taken out of a message is shown in the page's
// language.
type argKind int

const (
	argText   argKind = iota // a name or a person's words: as written
	argNum                   // a whole number, written the language's way
	argMsg                   // itself a message (“IMG_1.jpg”: <why>)
	argStatus                // a request status in lower case
	argSize                  // "15 MB"
	argMoment                // "Mon 2 Jan 2006, 15:04", as the store writes visits
	argPhotos                // "2 photos before the work and 1 photo"
)

// goMessage is an English format some Go code fills in; Format is also
// the catalog key.
type goMessage struct {
	Format string
	Args   []argKind // one per verb, in order
	re     *regexp.Regexp
}

// goMessages are the built messages residents and owners can meet, most
// specific first.
var goMessages = compileMessages([]goMessage{
	// Reporting a problem (sqldb.validateRequest, web/forms.go).
	{Format: "Keep this under %d characters; put the details in the description.", Args: []argKind{argNum}},
	{Format: "The description is too long (at most %d characters).", Args: []argKind{argNum}},
	{Format: "Choose at most %d times.", Args: []argKind{argNum}},
	{Format: "Keep this under %d characters.", Args: []argKind{argNum}},
	// Uploads (internal/upload), photos (internal/photo) and the name the
	// handler puts in front of a photo's problem.
	{Format: "A text field is too long (max %d KB). Shorten it and try again.", Args: []argKind{argNum}},
	{Format: "This photo is too large (max %s). Send a smaller photo.", Args: []argKind{argSize}},
	{Format: "“%s” is too large (max %s). Send a smaller photo.", Args: []argKind{argText, argSize}},
	{Format: "“%s” is empty. Choose it again.", Args: []argKind{argText}},
	{Format: "You can send at most %d photos at a time. Send the others in another upload.", Args: []argKind{argNum}},
	{Format: "These files are too large together (max %s). Send fewer at a time.", Args: []argKind{argSize}},
	{Format: "“%s”: %s", Args: []argKind{argText, argMsg}},
	// Deciding on an approval (sqldb/approvals.go).
	{Format: "Keep the comment under %d characters.", Args: []argKind{argNum}},
	{Format: "This request is no longer waiting for a decision (it is %s), so nothing was changed.", Args: []argKind{argStatus}},
	// The request's timeline (the resident-visible events the store writes).
	{Format: "%s is booked for %s.", Args: []argKind{argText, argMoment}},
	{Format: "%s's visit moved to %s.", Args: []argKind{argText, argMoment}},
	{Format: "%s will take care of this.", Args: []argKind{argText}},
	{Format: "%d photos added", Args: []argKind{argNum}},
	{Format: "Added %s.", Args: []argKind{argPhotos}},
	{Format: "Summary changed to “%s”", Args: []argKind{argText}},
	{Format: "Why it was cancelled: %s", Args: []argKind{argText}},
	{Format: "Closing note: %s", Args: []argKind{argText}},
	{Format: "Reopened: %s", Args: []argKind{argText}},
})

// compileMessages turns each format into an anchored pattern: %s matches
// any text, %d digits.
func compileMessages(ms []goMessage) []goMessage {
	for i := range ms {
		var b strings.Builder
		b.WriteString(`(?s)^`)
		rest := ms[i].Format
		for {
			j := strings.IndexByte(rest, '%')
			if j < 0 || j+1 >= len(rest) {
				b.WriteString(regexp.QuoteMeta(rest))
				break
			}
			b.WriteString(regexp.QuoteMeta(rest[:j]))
			switch rest[j+1] {
			case 's':
				b.WriteString(`(.+?)`)
			case 'd':
				b.WriteString(`(\d+)`)
			default:
				panic("web: goMessages: unsupported verb in " + ms[i].Format)
			}
			rest = rest[j+2:]
		}
		b.WriteString(`$`)
		ms[i].re = regexp.MustCompile(b.String())
		if n := ms[i].re.NumSubexp(); n != len(ms[i].Args) {
			panic(fmt.Sprintf("web: goMessages: %q has %d verbs and %d Args", ms[i].Format, n, len(ms[i].Args)))
		}
	}
	return ms
}

// Msg shows a message Go code wrote in English in the page's language:
// the catalog's entry for it, or the entry for the format it was built
// from, or (for a message nobody translated yet) the English.
func (p *Page) Msg(s string) string {
	if p.Lang == "" || p.Lang == i18n.Default || s == "" {
		return s
	}
	if i18n.Has(p.Lang, s) {
		return p.T(s)
	}
	for _, m := range goMessages {
		sub := m.re.FindStringSubmatch(s)
		if sub == nil {
			continue
		}
		args := make([]any, len(m.Args))
		for i, kind := range m.Args {
			args[i] = p.msgArg(kind, sub[i+1])
		}
		return p.T(m.Format, args...)
	}
	return s
}

var (
	sizeRE   = regexp.MustCompile(`^(\d+) (MB|KB|bytes)$`)
	photosRE = regexp.MustCompile(`^(\d+) photos?(?: (before|after) the work)?$`)
)

func (p *Page) msgArg(kind argKind, s string) any {
	switch kind {
	case argNum:
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	case argMsg:
		return p.Msg(s)
	case argStatus:
		for _, st := range lintel.RequestStatuses {
			if strings.ToLower(st.Label()) == s {
				return strings.ToLower(p.T(st.Label()))
			}
		}
	case argSize:
		if m := sizeRE.FindStringSubmatch(s); m != nil {
			n, _ := strconv.Atoi(m[1])
			return p.T("%d "+m[2], n)
		}
	case argMoment:
		if t, err := time.Parse("Mon 2 Jan 2006, 15:04", s); err == nil {
			return p.When(t)
		}
	case argPhotos:
		out := ""
		for i, part := range strings.Split(s, " and ") {
			m := photosRE.FindStringSubmatch(part)
			if m == nil {
				return s
			}
			n, _ := strconv.Atoi(m[1])
			var one string
			switch m[2] {
			case "before":
				one = p.T("%d photo(s) before the work", n)
			case "after":
				one = p.T("%d photo(s) after the work", n)
			default:
				one = p.T("%d photo(s)", n)
			}
			if i == 0 {
				out = one
			} else {
				out = p.T("%s and %s", out, one)
			}
		}
		return out
	}
	return s
}

// TForm returns f with its field messages in the page's language, for the
// field partial and the messages a page draws itself. What was typed is
// kept as typed.
func (p *Page) TForm(f Form) Form {
	if p.Lang == "" || p.Lang == i18n.Default || len(f.Errors) == 0 {
		return f
	}
	out := Form{Values: f.Values, Errors: make(lintel.FieldErrors, len(f.Errors))}
	for k, v := range f.Errors {
		out.Errors[k] = p.Msg(v)
	}
	return out
}

// placeSuffixes are how the store and the approval e-mails name a place
// after its property: "Harbour House · the whole property", "Harbour
// House, Laundry room (common area)".
var placeSuffixes = []string{" · the whole property", " (the whole property)", " (common area)"}

// Where shows a place label built in Go ("Harbour House · the whole
// property") in the page's language; names stay as the manager typed them.
func (p *Page) Where(place string) string {
	for _, suffix := range placeSuffixes {
		if head, ok := strings.CutSuffix(place, suffix); ok {
			return p.T("%s"+suffix, head)
		}
	}
	return place
}

// DayOf formats the calendar day of a moment in the page's language.
func (p *Page) DayOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.Day(lintel.DateOf(t))
}

// frDays and frMonthsShort write a short day in French: "mer. 26 nov.".
var (
	frDays        = [...]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."}
	frMonthsShort = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
)

// ShortDay names a day of the coming week without its year: "Wed 26 Nov",
// "mer. 26 nov.".
func (p *Page) ShortDay(t time.Time) string {
	if p.Lang == "fr" {
		return frShortDay(t.Weekday(), t.Day(), t.Month())
	}
	return t.Format("Mon 2 Jan")
}

func frShortDay(wd time.Weekday, day int, month time.Month) string {
	return fmt.Sprintf("%s %d %s", frDays[wd], day, frMonthsShort[month-1])
}

// accessLine reads a stored access time line: "Wed 26 Nov: morning
// (8am–12pm), evening (5–8pm)" or "Wed 26 Nov: any time of day".
var accessLine = regexp.MustCompile(`^([A-Z][a-z]{2}) (\d{1,2} [A-Z][a-z]{2}): (.+)$`)

// AccessTime shows a stored access time (see accessTimes) in the page's
// language; a line it does not recognise is shown as stored.
func (p *Page) AccessTime(s string) string {
	if p.Lang != "fr" {
		return s
	}
	if i18n.Has(p.Lang, s) {
		return p.T(s)
	}
	m := accessLine.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	// The line has no year, so the weekday is taken as written rather
	// than computed.
	day, err := time.Parse("2 Jan", m[2])
	wd, ok := weekdays[m[1]]
	if err != nil || !ok {
		return s
	}
	parts := strings.Split(m[3], ", ")
	for i, part := range parts {
		parts[i] = p.T(part)
	}
	return p.T("%s: %s", frShortDay(wd, day.Day(), day.Month()), strings.Join(parts, ", "))
}

var weekdays = func() map[string]time.Weekday {
	m := map[string]time.Weekday{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		m[d.String()[:3]] = d
	}
	return m
}()

// portalMsg translates a message built in Go for a portal page of r that
// is rendered later, such as a flash: the layout looks a flash up by its
// exact text, which a message with values in it never matches.
func portalMsg(r *http.Request, s string) string {
	lang := langOf(r)
	p := Page{Lang: lang, printer: i18n.For(lang)}
	return p.Msg(s)
}
