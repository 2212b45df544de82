package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/i18n"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/photo"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// nb is the no-break space French puts before ":", "?", ";" and inside « ».
const nb = "\u00a0"

// frPage is a page being rendered in French.
func frPage() *Page { return &Page{Lang: "fr", printer: i18n.For("fr")} }

// acceptLanguage makes every request of a client carry an Accept-Language
// header, as a browser set to that language does.
type acceptLanguage struct {
	base http.RoundTripper
	lang string
}

func (a acceptLanguage) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", a.lang)
	return a.base.RoundTrip(r)
}

// speaking makes c's browser ask for lang.
func speaking(c *testClient, lang string) *testClient {
	base := c.hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.hc.Transport = acceptLanguage{base, lang}
	return c
}

const htmlFR = `<html lang="fr">`

func TestPortalGoMessagesInFrench(t *testing.T) {
	t.Parallel()
	for _, m := range goMessages {
		if !i18n.Has("fr", m.Format) {
			t.Errorf("no French for the Go message %q (add it to internal/i18n/fr/maintenance.json)", m.Format)
		}
	}
	p := frPage()
	for _, tc := range []struct{ in, want string }{
		{"Choose what kind of problem this is.", "Choisissez le type de problème."},
		{"Keep this under 120 characters; put the details in the description.", "Restez sous 120 caractères" + nb + "; mettez les détails dans la description."},
		{"The description is too long (at most 5000 characters).", "La description est trop longue (5\u00a0000 caractères au plus)."},
		{"“notes.txt”: " + photo.MsgNotPhoto, "«" + nb + "notes.txt" + nb + "»" + nb + ": Ce fichier n’est pas une photo que nous savons lire. Envoyez un JPEG ou un PNG."},
		{"“huge.jpg” is too large (max 15 MB). Send a smaller photo.", "«" + nb + "huge.jpg" + nb + "» est trop lourde (15 Mo au plus). Envoyez une photo plus petite."},
		{"These files are too large together (max 151 MB). Send fewer at a time.", "Ces fichiers sont trop lourds ensemble (151 Mo au plus). Envoyez-en moins à la fois."},
		{"This request is no longer waiting for a decision (it is approved), so nothing was changed.",
			"Cette demande n’attend plus de décision (elle est approuvée)" + nb + ": rien n’a été modifié."},
		{"Awaiting owner approval", "En attente de l’accord du propriétaire"},
		{"Ola Operator is booked for Tue 24 Nov 2026, 09:30.", "Ola Operator passera le 24 nov. 2026 09:30."},
		{"Ola Operator's visit moved to Wed 25 Nov 2026, 14:00.", "Le passage de Ola Operator est déplacé au 25 nov. 2026 14:00."},
		{"Added 2 photos before the work and 1 photo after the work.", "Ajout de 2 photo(s) avant les travaux et 1 photo(s) après les travaux."},
		{"Why it was cancelled: Fixed by the landlord", "Motif de l’annulation" + nb + ": Fixed by the landlord"},
		// A person's own words are never touched.
		{"The tap is fixed, see you soon", "The tap is fixed, see you soon"},
		{"50% done", "50% done"},
		{"", ""},
	} {
		if got := p.Msg(tc.in); got != tc.want {
			t.Errorf("Msg(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	// English pages show the message exactly as written.
	en := &Page{Lang: "en", printer: i18n.For("en")}
	for _, s := range []string{"Keep this under 1000 characters.", "Ola Operator is booked for Tue 24 Nov 2026, 09:30."} {
		if got := en.Msg(s); got != s {
			t.Errorf("English Msg(%q) = %q", s, got)
		}
	}
}

func TestPortalPlacesAndAccessTimesInFrench(t *testing.T) {
	t.Parallel()
	p := frPage()
	for _, tc := range []struct{ in, want string }{
		{"Harbour House · the whole property", "Harbour House · tout le bien"},
		{"Harbour House · Laundry room (common area)", "Harbour House · Laundry room (partie commune)"},
		{"Harbour House, Apt 2", "Harbour House, Apt 2"},
	} {
		if got := p.Where(tc.in); got != tc.want {
			t.Errorf("Where(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	today, _ := lintel.ParseDate("2026-11-23")
	f := NewForm()
	f.Values.Add("access", "2026-11-24 morning")
	f.Values.Add("access", "2026-11-24 evening")
	f.Values.Add("access", "2026-11-26 morning")
	f.Values.Add("access", "2026-11-26 afternoon")
	f.Values.Add("access", "2026-11-26 evening")
	var got []string
	for _, line := range append(accessTimes(f, today), "Any time", "Weekday mornings") {
		got = append(got, p.AccessTime(line))
	}
	want := []string{"mar. 24 nov." + nb + ": matin (8 h–12 h), soir (17 h–20 h)", "jeu. 26 nov." + nb + ": à toute heure", "N’importe quand", "Weekday mornings"}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("access times:\n got %q\nwant %q", got, want)
	}
}

// TestPortalGoLabelsHaveFrench covers the words Go code hands the portal
// pages: statuses, the default categories and their questions, the access
// grid, flashes and the messages of photos.
func TestPortalGoLabelsHaveFrench(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, s := range lintel.RequestStatuses {
		keys = append(keys, s.Label())
	}
	for _, s := range []lintel.VisitStatus{lintel.VisitAssigned, lintel.VisitScheduled, lintel.VisitCompleted, lintel.VisitUnable, lintel.VisitReassigned, lintel.VisitCancelled} {
		keys = append(keys, visitStatusLabel(s))
	}
	for _, s := range []lintel.ApprovalStatus{lintel.ApprovalPending, lintel.ApprovalApproved, lintel.ApprovalDeclined, lintel.ApprovalWithdrawn} {
		keys = append(keys, approvalStatusLabel(s))
	}
	for _, s := range lintel.LeaseStatuses {
		keys = append(keys, s.Label())
	}
	for _, c := range lintel.DefaultCategories() {
		keys = append(keys, c.Name)
		for _, q := range c.Questions {
			keys = append(keys, q.Prompt)
		}
	}
	for _, part := range accessParts {
		keys = append(keys, part.Label, part.Hours, strings.ToLower(part.Label)+" ("+part.Hours+")")
	}
	keys = append(keys, "Any time", "any time of day", "Today", "Tomorrow",
		photo.MsgEmpty, photo.MsgTooLarge, photo.MsgNotPhoto, photo.MsgHEIC, photo.MsgTooManyPixels,
		thanks(sqldb.Decision{Approve: true}), thanks(sqldb.Decision{}), sqldb.ErrAlreadyDecided.Error(), sqldb.ErrStale.Error(),
		"Approve maintenance work?", "Maintenance approval", "Report a problem", "Approvals", "Home",
		"Cancelled requests are hidden.", "Cancelled requests are shown.",
		"Your request was sent. Your property manager has been told; follow its progress on this page.")
	for _, k := range keys {
		if !i18n.Has("fr", k) {
			t.Errorf("no French for %q", k)
		}
	}
}

// TestPortalPagesInFrench walks the maintenance and approval pages as a
// tenant and an owner whose browsers ask for French, and as one who chose
// French in their settings.
func TestPortalPagesInFrench(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	path := testkit.SQLiteURL(t)
	db, err := sqldb.Open(context.Background(), path, "", sqldb.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	app, _ := newFilesApp(t, db)
	w := testkit.NewWorld(t, db)
	a := w.A

	tenant := speaking(loginPersona(t, app, a, testkit.Tenant), "fr-CA,fr;q=0.9,en;q=0.5")
	tenant.get("/portal").want(t, 200).wantBody(t, htmlFR, "Bienvenue", "Vous êtes locataire chez Harbour Lettings", "Vos gestionnaires")

	list := tenant.get("/portal/maintenance").want(t, 200)
	list.wantBody(t, htmlFR, "Masquer les demandes annulées", "Plomberie")
	if row := rowOf(list.Body, requestHref(a.Request)); !strings.Contains(row, ">Attribuée<") {
		t.Errorf("the status label is not in French: %q", row)
	}
	if row := rowOf(list.Body, requestHref(a.ApprovalRequest)); !strings.Contains(row, "En attente de l’accord du propriétaire") ||
		!strings.Contains(row, "Laundry room (partie commune)") {
		t.Errorf("the awaiting row is not in French: %q", row)
	}

	form := tenant.get("/portal/maintenance/new").want(t, 200)
	form.wantBody(t, htmlFR, "Décrivez le problème", `placeholder="p. ex. Le robinet de la cuisine goutte"`, "Aujourd’hui", "Demain", "8 h–12 h",
		"L’eau fuit-elle en ce moment", "Envoyer à mon gestionnaire", `data-starting="Démarrage…"`)

	// Refused: the messages next to the fields are French, fixed and built
	// with values alike; what was typed stays as typed.
	good := reportForm(t, db, w)
	long := strings.Repeat("Fuite ", 30)
	r := tenant.postMultipart("/portal/maintenance", plus(with(with(good, "category_id", strconv.FormatInt(w.B.Plumbing, 10)), "summary", long),
		part{name: "photos", filename: "notes.txt", data: []byte("just some words")})).want(t, 422)
	r.wantBody(t, htmlFR, "Veuillez corriger les 3 champs signalés ci-dessous.", "Choisissez le type de problème.",
		"Restez sous 120 caractères"+nb+"; mettez les détails dans la description.",
		"«"+nb+"notes.txt"+nb+"»"+nb+": Ce fichier n’est pas une photo", `value="`+strings.TrimSpace(long))

	// Accepted: the flash, the status, the timeline and the access times.
	r = tenant.postMultipart("/portal/maintenance", good).want(t, http.StatusSeeOther)
	page := tenant.get(r.Location).want(t, 200)
	page.wantBody(t, htmlFR, "Votre demande a été envoyée. Votre gestionnaire a été prévenu", ">Envoyée<", "Demande envoyée",
		"matin (8 h–12 h), après-midi (12 h–17 h)", "Oui, quand personne n’est là", "gérée par Harbour Lettings", "signalée le 23 nov. 2026")
	tenant.postForm("/portal/maintenance/settings", nil).wantRedirect(t, "/portal/maintenance")
	tenant.get("/portal/maintenance").want(t, 200).wantBody(t, "Les demandes annulées sont affichées.")

	// The owner: the approvals list, the decision page, a refused and an
	// accepted decision.
	owner := speaking(loginPersona(t, app, a, testkit.PropertyOwner), "fr")
	owner.get("/portal/approvals").want(t, 200).wantBody(t, htmlFR, "1 demande attend votre décision.", "En attente de votre accord")
	decidePath := fmt.Sprintf("/portal/approvals/%d", a.Approval)
	owner.get(decidePath).want(t, 200).wantBody(t, htmlFR, "Approuver ces travaux", "Votre décision", "Approuver $850.00", "Refuser")
	staff := a.Staff[testkit.Admin]
	d, err := db.StaffRequest(context.Background(), staff, a.ApprovalRequest)
	if err != nil {
		t.Fatal(err)
	}
	decide(owner, decidePath, "decline", "", d.Request.Version).want(t, 422).
		wantBody(t, htmlFR, "Dites pourquoi vous refusez, pour que votre gestionnaire sache quoi faire ensuite.", "Veuillez corriger le champ signalé ci-dessous.")
	decide(owner, decidePath, "approve", "", d.Request.Version).wantRedirect(t, decidePath)
	owner.get(decidePath).want(t, 200).wantBody(t, htmlFR, "vous avez approuvé les travaux", "Approuvée par Property Owner Harbour (vous) le 23 nov. 2026")

	// Opened from the e-mailed link, the page follows the browser: French
	// for a French browser, English otherwise.
	link := "/a/" + a.ApprovalToken
	speaking(app.client(t), "fr").get(link).want(t, 200).wantBody(t, htmlFR, "Accord pour des travaux", "Cette page s’est ouverte depuis le lien")
	app.client(t).get(link).want(t, 200).wantBody(t, `<html lang="en">`, "Maintenance approval", "This page opened from the link")

	// A person who chose French in their settings gets it whatever the
	// browser says; one who did not keeps English.
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE users SET language = 'fr' WHERE email = ?`, a.Emails[testkit.Cotenant]); err != nil {
		t.Fatal(err)
	}
	cotenant := speaking(loginPersona(t, app, a, testkit.Cotenant), "en-US,en;q=0.9")
	cotenant.get(fmt.Sprintf("/portal/maintenance/%d", a.Request)).want(t, 200).wantBody(t, htmlFR, "Historique", "Attribuée", "Plomberie")
	loginPersona(t, app, a, testkit.OtherTenant).get("/portal/maintenance").want(t, 200).wantBody(t, `<html lang="en">`, "Hide cancelled requests")
}
