package web

import (
	"net/http"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// Maintenance categories and their troubleshooting questions:
// each company starts with lintel.DefaultCategories and shapes
// them here. Residents see the categories in use, in this order, when they
// report a problem, and answer the chosen category's questions.

func (s *Server) categoryRoutes() []route {
	return []route{
		{"GET", "/manage/settings/categories", staffView, s.manageCategories},
		{"POST", "/manage/settings/categories", staffEdit, s.createCategory},
		{"GET", "/manage/settings/categories/{id}", staffView, s.manageCategory},
		{"POST", "/manage/settings/categories/{id}", staffEdit, s.renameCategory},
		{"POST", "/manage/settings/categories/{id}/move", staffEdit, s.moveCategory},
		{"POST", "/manage/settings/categories/{id}/archive", staffEdit, s.archiveCategory},
		{"POST", "/manage/settings/categories/{id}/unarchive", staffEdit, s.unarchiveCategory},
		{"POST", "/manage/settings/categories/{id}/questions", staffEdit, s.addQuestion},
		{"POST", "/manage/settings/questions/{id}", staffEdit, s.updateQuestion},
		{"POST", "/manage/settings/questions/{id}/move", staffEdit, s.moveQuestion},
		{"POST", "/manage/settings/questions/{id}/remove", staffEdit, s.removeQuestion},
	}
}

type categoriesPage struct {
	Page
	Categories []lintel.Category
	Form       Form // the new-category form
	CanEdit    bool
}

func (s *Server) renderCategories(w http.ResponseWriter, r *http.Request, status int, f Form) error {
	st := staffOf(r)
	cats, err := s.db.CategoriesForEditing(r.Context(), st)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "manage/categories.html", &categoriesPage{
		Page:       Page{Title: "Maintenance categories", Area: "manage", Nav: "maintenance"},
		Categories: cats, Form: f, CanEdit: st.Can(lintel.PermEditRecords),
	})
}

// manageCategories lists the categories residents choose from.
func (s *Server) manageCategories(w http.ResponseWriter, r *http.Request) error {
	return s.renderCategories(w, r, http.StatusOK, NewForm())
}

func (s *Server) createCategory(w http.ResponseWriter, r *http.Request) error {
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	id, err := s.db.CreateCategory(r.Context(), staffOf(r), f.Get("name"))
	if f.Merge(err) {
		return s.renderCategories(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Category added. Add the questions residents should answer when they choose it.")
	return redirect(w, r, categoryPath(id))
}

func categoryPath(id int64) string { return "/manage/settings/categories/" + strconv.FormatInt(id, 10) }

type categoryPage struct {
	Page
	Category lintel.Category
	Name     Form // the rename form
	New      Form // the new-question form
	// Edit is the form of the question whose change was refused (EditID),
	// so it comes back with the errors and what was typed.
	Edit    Form
	EditID  int64
	CanEdit bool
	Kinds   []Option
}

// questionKinds are the ways a question can be answered, for the forms.
var questionKinds = []Option{
	{string(lintel.QuestionYesNo), "Yes or no"},
	{string(lintel.QuestionText), "A short written answer"},
	{string(lintel.QuestionChoice), "One of several answers"},
}

func (s *Server) renderCategory(w http.ResponseWriter, r *http.Request, status int, id int64, p *categoryPage) error {
	st := staffOf(r)
	c, err := s.db.Category(r.Context(), st, id)
	if err != nil {
		return err
	}
	if p == nil {
		p = &categoryPage{}
	}
	if p.Name.Values == nil {
		p.Name = NewForm()
		p.Name.Set("name", c.Name)
	}
	if p.New.Values == nil {
		p.New = NewForm()
		p.New.Set("kind", string(lintel.QuestionYesNo))
	}
	p.Page = Page{Title: c.Name + " · Maintenance categories", Area: "manage", Nav: "maintenance"}
	p.Category, p.CanEdit, p.Kinds = c, st.Can(lintel.PermEditRecords), questionKinds
	return s.render(w, r, status, "manage/category.html", p)
}

// QuestionForm is a question as form values, for its edit form.
func QuestionForm(q lintel.Question) Form {
	f := NewForm()
	f.Set("prompt", q.Prompt)
	f.Set("kind", string(q.Kind))
	f.Set("options", strings.Join(q.Options, "\n"))
	if q.Required {
		f.Set("required", "on")
	}
	return f
}

// manageCategory shows one category with its questions.
func (s *Server) manageCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderCategory(w, r, http.StatusOK, id, nil)
}

func (s *Server) renameCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	err = s.db.RenameCategory(r.Context(), staffOf(r), id, f.Get("name"))
	if f.Merge(err) {
		return s.renderCategory(w, r, http.StatusUnprocessableEntity, id, &categoryPage{Name: f})
	}
	if err != nil {
		return err
	}
	s.flash(r, "Category renamed.")
	return redirect(w, r, categoryPath(id))
}

// direction reads the move form's "up" or "down".
func direction(f Form) int {
	if f.Get("direction") == "up" {
		return -1
	}
	return 1
}

func (s *Server) moveCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	if err := s.db.MoveCategory(r.Context(), staffOf(r), id, direction(f)); err != nil {
		return err
	}
	return redirect(w, r, "/manage/settings/categories")
}

func (s *Server) archiveCategory(w http.ResponseWriter, r *http.Request) error {
	return s.setCategoryArchived(w, r, true)
}

func (s *Server) unarchiveCategory(w http.ResponseWriter, r *http.Request) error {
	return s.setCategoryArchived(w, r, false)
}

func (s *Server) setCategoryArchived(w http.ResponseWriter, r *http.Request, archived bool) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.db.SetCategoryArchived(r.Context(), staffOf(r), id, archived); err != nil {
		return err
	}
	if archived {
		s.flash(r, "Category archived: residents no longer see it. Requests already made keep it.")
	} else {
		s.flash(r, "Category restored: residents can choose it again.")
	}
	return redirect(w, r, "/manage/settings/categories")
}

// questionFrom reads a question form.
func questionFrom(f Form) lintel.Question {
	return lintel.Question{Prompt: f.Get("prompt"), Kind: lintel.QuestionKind(f.Get("kind")),
		Options: strings.Split(f.Values.Get("options"), "\n"), Required: f.Checked("required")}
}

func (s *Server) addQuestion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	_, err = s.db.AddQuestion(r.Context(), staffOf(r), id, questionFrom(f))
	if f.Merge(err) {
		return s.renderCategory(w, r, http.StatusUnprocessableEntity, id, &categoryPage{New: f})
	}
	if err != nil {
		return err
	}
	s.flash(r, "Question added.")
	return redirect(w, r, categoryPath(id))
}

func (s *Server) updateQuestion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	cat, err := s.db.UpdateQuestion(r.Context(), staffOf(r), id, questionFrom(f))
	if f.Merge(err) {
		return s.renderCategory(w, r, http.StatusUnprocessableEntity, cat, &categoryPage{Edit: f, EditID: id})
	}
	if err != nil {
		return err
	}
	s.flash(r, "Question saved.")
	return redirect(w, r, categoryPath(cat))
}

func (s *Server) moveQuestion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	cat, err := s.db.MoveQuestion(r.Context(), staffOf(r), id, direction(f))
	if err != nil {
		return err
	}
	return redirect(w, r, categoryPath(cat))
}

func (s *Server) removeQuestion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cat, err := s.db.RemoveQuestion(r.Context(), staffOf(r), id)
	if err != nil {
		return err
	}
	s.flash(r, "Question removed. Answers already given keep it.")
	return redirect(w, r, categoryPath(cat))
}

// questionFieldsData is what the question-fields partial renders.
type questionFieldsData struct {
	Form   Form
	Kinds  []Option
	Prefix string
}
