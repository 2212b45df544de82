package web

import (
	"net/http"
	"strconv"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// contactRoleTabs are the role filters offered above the contact list.
var contactRoleTabs = []Option{{"", "All"}, {"tenant", "Tenants"}, {"owner", "Owners"}, {"operator", "Operators"}}

type contactsPage struct {
	Page
	Filters          Form
	Role             lintel.ContactRole
	RoleTabs         []Option
	StatusOptions    []Option
	Contacts         []lintel.Contact
	Filtered         bool
	NextURL, PrevURL string
	NewURL           string
	CanEdit          bool
}

// contactRoleParam reads ?role=, ignoring anything unknown.
func contactRoleParam(v string) lintel.ContactRole {
	if r := lintel.ContactRole(v); r.Valid() {
		return r
	}
	return ""
}

// manageContacts lists contacts: search by name or e-mail, role and
// archived filters, keyset pages.
func (s *Server) manageContacts(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	q := r.URL.Query()
	f := Form{Values: q, Errors: lintel.FieldErrors{}}
	role := contactRoleParam(f.Get("role"))
	filter := sqldb.ContactFilter{
		Search:   f.Get("q"),
		Role:     role,
		Archived: f.Get("status") == "archived",
		After:    parseKeyset(q.Get("after")),
		Before:   parseKeyset(q.Get("before")),
	}
	list, err := s.db.ListContacts(r.Context(), st, filter)
	if err != nil {
		return err
	}
	p := &contactsPage{
		Page:    Page{Title: role.Plural(), Area: "manage", Nav: "contacts"},
		Filters: f, Role: role, RoleTabs: contactRoleTabs, StatusOptions: statusOptions,
		Contacts: list.Contacts,
		Filtered: filter.Search != "" || filter.Archived || filter.After != nil || filter.Before != nil,
		NextURL:  pageURL("/manage/contacts", q, "after", list.Next),
		PrevURL:  pageURL("/manage/contacts", q, "before", list.Prev),
		NewURL:   "/manage/contacts/new" + queryString("role", string(role)),
		CanEdit:  st.Can(lintel.PermEditRecords),
	}
	return s.render(w, r, http.StatusOK, "manage/contacts.html", p)
}

type contactPage struct {
	Page
	Contact    lintel.Contact
	Leases     []lintel.Lease
	Ownerships []lintel.Ownership
	Today      lintel.Date
	Currency   string
	CanEdit    bool
	History    history
	Account    sqldb.ContactAccount // the resident's portal login, if any
	Docs       sharedDocs           // documents shared with this contact
}

// manageContact shows one contact: details, portal status, leases and
// ownerships.
func (s *Server) manageContact(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	ctx := r.Context()
	c, err := s.db.Contact(ctx, st, id)
	if err != nil {
		return err
	}
	leases, err := s.db.ContactLeases(ctx, st, id)
	if err != nil {
		return err
	}
	owns, err := s.db.ContactOwnerships(ctx, st, id)
	if err != nil {
		return err
	}
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return err
	}
	hist, err := s.recordHistory(r, "contact", id)
	if err != nil {
		return err
	}
	account, err := s.db.ContactAccountOf(ctx, st, id)
	if err != nil {
		return err
	}
	docs, err := s.sharedDocsOn(r, lintel.ShareTarget{ContactID: id})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "manage/contact.html", &contactPage{
		Docs:    docs,
		Page:    Page{Title: c.Name, Area: "manage", Nav: "contacts"},
		Contact: c, Leases: leases, Ownerships: owns, Today: lintel.DateOf(s.cfg.Now()),
		Currency: company.Currency, CanEdit: st.Can(lintel.PermEditRecords), History: hist, Account: account,
	})
}

// contactRow is one e-mail or phone row of the contact form.
type contactRow struct {
	Index      int
	Field      string // "email_0"
	LabelField string // "email_label_0"
	Value      string
	Label      string
	Error      string
	LabelError string
	Verified   bool // e-mails only: locked, shown read-only
}

type contactFormPage struct {
	Page
	Form    Form
	Contact lintel.Contact // ID 0 when new
	Emails  []contactRow
	Phones  []contactRow
	Action  string
	Cancel  string
}

// contactFormRows is how many rows of each kind the form reads: the most a
// contact may keep, plus room for a spare row.
const contactFormRows = lintel.MaxContactEmails + 2

// contactFromForm reads the contact form. Empty e-mail and phone rows are
// dropped and the rest renumbered in f, so messages keyed by position
// (email_1) land on the row the person sees.
func contactFromForm(f Form) lintel.Contact {
	c := lintel.Contact{
		Name:            f.Get("name"),
		IsOrganization:  f.Checked("is_organization"),
		IsTenant:        f.Checked("role_tenant"),
		IsOwner:         f.Checked("role_owner"),
		IsOperator:      f.Checked("role_operator"),
		Trades:          f.Get("trades"),
		InsuranceExpiry: f.Date("insurance_expiry"),
		Notes:           f.Get("notes"),
	}
	for i := range contactFormRows {
		n := strconv.Itoa(i)
		if e := f.Get("email_" + n); e != "" {
			c.Emails = append(c.Emails, lintel.ContactEmail{Email: e, Label: f.Get("email_label_" + n)})
		}
		if p := f.Get("phone_" + n); p != "" {
			c.Phones = append(c.Phones, lintel.ContactPhone{Phone: p, Label: f.Get("phone_label_" + n)})
		}
		for _, k := range []string{"email_", "email_label_", "phone_", "phone_label_"} {
			f.Values.Del(k + n)
		}
	}
	setContactRows(f, c.Emails, c.Phones)
	return c
}

// setContactRows writes e-mail and phone rows into the form values.
func setContactRows(f Form, emails []lintel.ContactEmail, phones []lintel.ContactPhone) {
	for i, e := range emails {
		n := strconv.Itoa(i)
		f.Set("email_"+n, e.Email)
		f.Set("email_label_"+n, e.Label)
	}
	for i, p := range phones {
		n := strconv.Itoa(i)
		f.Set("phone_"+n, p.Phone)
		f.Set("phone_label_"+n, p.Label)
	}
}

// formOfContact fills a form with a stored contact.
func formOfContact(c lintel.Contact) Form {
	f := NewForm()
	f.Set("name", c.Name)
	for k, on := range map[string]bool{"is_organization": c.IsOrganization, "role_tenant": c.IsTenant, "role_owner": c.IsOwner, "role_operator": c.IsOperator} {
		if on {
			f.Set(k, "on")
		}
	}
	f.Set("trades", c.Trades)
	f.Set("insurance_expiry", c.InsuranceExpiry.String())
	f.Set("notes", c.Notes)
	setContactRows(f, c.Emails, c.Phones)
	return f
}

// renderContactForm shows the new or edit form; stored is the contact as
// saved (ID 0 when new), whose verified addresses are shown locked.
func (s *Server) renderContactForm(w http.ResponseWriter, r *http.Request, status int, f Form, stored lintel.Contact) error {
	verified := map[string]bool{}
	for _, e := range stored.Emails {
		if e.Verified {
			verified[e.Email] = true
		}
	}
	p := &contactFormPage{
		Page: Page{Title: "Add a contact", Area: "manage", Nav: "contacts"}, Form: f, Contact: stored,
		Action: "/manage/contacts", Cancel: "/manage/contacts",
	}
	if stored.ID != 0 {
		p.Title = "Edit " + stored.Name
		p.Action = "/manage/contacts/" + strconv.FormatInt(stored.ID, 10)
		p.Cancel = p.Action
	} else if role := contactRoleParam(r.URL.Query().Get("role")); role != "" {
		p.Title = "Add " + map[lintel.ContactRole]string{lintel.RoleTenant: "a tenant", lintel.RoleOwner: "an owner", lintel.RoleOperator: "an operator"}[role]
		p.Cancel = "/manage/contacts?role=" + string(role)
	}
	// The filled rows (contiguous: contactFromForm renumbers them), then
	// one spare row while there is room for another.
	rows := func(kind string, max int) []contactRow {
		var out []contactRow
		for i := range max {
			n := strconv.Itoa(i)
			row := contactRow{Index: i, Field: kind + "_" + n, LabelField: kind + "_label_" + n}
			row.Value, row.Label = f.Values.Get(row.Field), f.Values.Get(row.LabelField)
			row.Error, row.LabelError = f.Errors[row.Field], f.Errors[row.LabelField]
			row.Verified = kind == "email" && row.Value != "" && verified[lintel.NormalizeEmail(row.Value)]
			out = append(out, row)
			if row.Value == "" {
				break
			}
		}
		return out
	}
	p.Emails, p.Phones = rows("email", lintel.MaxContactEmails), rows("phone", lintel.MaxContactPhones)
	return s.render(w, r, status, "manage/contact_form.html", p)
}

// newContactForm shows the empty form; ?role= ticks that role.
func (s *Server) newContactForm(w http.ResponseWriter, r *http.Request) error {
	f := NewForm()
	if role := contactRoleParam(r.URL.Query().Get("role")); role != "" {
		f.Set("role_"+string(role), "on")
	}
	return s.renderContactForm(w, r, http.StatusOK, f, lintel.Contact{})
}

// createContact stores a new contact.
func (s *Server) createContact(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	c := contactFromForm(f)
	c.Normalize()
	setContactRows(f, c.Emails, c.Phones)
	for k, v := range c.Validate() {
		f.Errors.Add(k, v)
	}
	if len(f.Errors) > 0 {
		return s.renderContactForm(w, r, http.StatusUnprocessableEntity, f, lintel.Contact{})
	}
	id, err := s.db.CreateContact(r.Context(), staffOf(r), c)
	if f.Merge(err) {
		return s.renderContactForm(w, r, http.StatusUnprocessableEntity, f, lintel.Contact{})
	}
	if err != nil {
		return err
	}
	s.flash(r, c.Name+" added.")
	return redirect(w, r, "/manage/contacts/"+strconv.FormatInt(id, 10))
}

// editContactForm shows the form filled with the stored contact.
func (s *Server) editContactForm(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	c, err := s.db.Contact(r.Context(), staffOf(r), id)
	if err != nil {
		return err
	}
	return s.renderContactForm(w, r, http.StatusOK, formOfContact(c), c)
}

// updateContact saves the edit form. Verified addresses stay as they are:
// if the form lost or changed one, it comes back with the address restored
// and a message saying why.
func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	stored, err := s.db.Contact(r.Context(), st, id)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	c := contactFromForm(f)
	c.ID = id
	c.Normalize()
	kept, locked := lintel.LockVerifiedEmails(stored.Emails, c.Emails)
	if len(locked) > 0 {
		c.Emails = kept
	}
	setContactRows(f, c.Emails, c.Phones)
	for k, v := range locked {
		f.Errors.Add(k, v)
	}
	for k, v := range c.Validate() {
		f.Errors.Add(k, v)
	}
	if len(f.Errors) > 0 {
		return s.renderContactForm(w, r, http.StatusUnprocessableEntity, f, stored)
	}
	err = s.db.UpdateContact(r.Context(), st, c)
	if f.Merge(err) {
		// A resident verified an address while the form was open: show it
		// again, locked.
		if fresh, ferr := s.db.Contact(r.Context(), st, id); ferr == nil {
			stored = fresh
			kept, _ := lintel.LockVerifiedEmails(stored.Emails, c.Emails)
			setContactRows(f, kept, c.Phones)
		}
		return s.renderContactForm(w, r, http.StatusUnprocessableEntity, f, stored)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Changes saved.")
	return redirect(w, r, "/manage/contacts/"+strconv.FormatInt(id, 10))
}

// archiveContact takes a contact out of use.
func (s *Server) archiveContact(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := s.db.ArchiveContact(r.Context(), staffOf(r), id); err != nil {
		return err
	}
	s.flash(r, "Contact archived. They no longer appear in lists; you can restore them from this page.")
	return redirect(w, r, "/manage/contacts/"+strconv.FormatInt(id, 10))
}

// unarchiveContact puts an archived contact back in use.
func (s *Server) unarchiveContact(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := s.db.UnarchiveContact(r.Context(), staffOf(r), id); err != nil {
		return err
	}
	s.flash(r, "Contact restored.")
	return redirect(w, r, "/manage/contacts/"+strconv.FormatInt(id, 10))
}
