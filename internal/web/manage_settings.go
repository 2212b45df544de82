package web

import (
	"net/http"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

type settingsPage struct {
	Page
	Form    Form
	Company lintel.Company // as stored
	History history
	// Storage is shown, never edited: only Lintel's operator sets a
	// company's quota (`lintel company quota`), so an administrator cannot
	// raise their own.
	Storage sqldb.StorageUsage
}

// settingsForm is the company's stored settings as form values.
func settingsForm(c lintel.Company) Form {
	f := NewForm()
	for k, v := range map[string]string{"name": c.Name, "currency": c.Currency, "email": c.Email, "phone": c.Phone, "address": c.Address} {
		f.Set(k, v)
	}
	f.Set("admins_need_second_factor", checkbox(c.AdminsNeedSecondFactor))
	return f
}

// renderSettings shows the settings page with f, or with the stored
// settings when f is nil.
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	st := staffOf(r)
	c, err := s.db.Company(r.Context(), st)
	if err != nil {
		return err
	}
	if f == nil {
		stored := settingsForm(c)
		f = &stored
	}
	hist, err := s.recordHistory(r, "company", st.CompanyID)
	if err != nil {
		return err
	}
	storage, err := s.db.StorageUsage(r.Context(), st)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "manage/settings.html", &settingsPage{
		Page: Page{Title: "Company settings", Area: "manage", Nav: "settings"}, Form: *f, Company: c, History: hist, Storage: storage,
	})
}

// companySettings shows the company's name, currency and the contact
// details residents see in their portal.
func (s *Server) companySettings(w http.ResponseWriter, r *http.Request) error {
	return s.renderSettings(w, r, http.StatusOK, nil)
}

// updateCompanySettings saves the settings form. The store normalizes and
// validates; a refusal comes back with what was typed.
func (s *Server) updateCompanySettings(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	c := lintel.Company{Name: f.Values.Get("name"), Currency: f.Values.Get("currency"), Email: f.Values.Get("email"),
		Phone: f.Values.Get("phone"), Address: f.Values.Get("address"), AdminsNeedSecondFactor: f.Checked("admins_need_second_factor")}
	err = s.db.UpdateCompany(r.Context(), staffOf(r), c)
	if f.Merge(err) {
		return s.renderSettings(w, r, http.StatusUnprocessableEntity, &f)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Company settings saved.")
	return redirect(w, r, "/manage/settings")
}
