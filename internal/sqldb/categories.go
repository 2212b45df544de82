package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"lintel.dev/lintel/internal/lintel"
)

// seedCategories gives a new company the default maintenance categories
// and their troubleshooting questions (lintel.DefaultCategories); the
// company can change them afterwards.
func (tx *Tx) seedCategories(ctx context.Context, companyID int64) error {
	for i, c := range lintel.DefaultCategories() {
		id, err := tx.insert(ctx, `INSERT INTO maintenance_categories (company_id, name, position) VALUES ($1, $2, $3)`, companyID, c.Name, i)
		if err != nil {
			return err
		}
		for j, q := range c.Questions {
			if _, err := tx.exec(ctx, `INSERT INTO category_questions (company_id, category_id, prompt, kind, options, required, position)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, companyID, id, q.Prompt, string(q.Kind), strings.Join(q.Options, "\n"), q.Required, j); err != nil {
				return err
			}
		}
	}
	return nil
}

// categories reads a company's categories with their questions, in
// order; archived ones only when withArchived.
func (tx *Tx) categories(ctx context.Context, companyID int64, withArchived bool) ([]lintel.Category, error) {
	q := `SELECT id, company_id, name, position, archived_at IS NOT NULL FROM maintenance_categories WHERE company_id = $1`
	if !withArchived {
		q += ` AND archived_at IS NULL`
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY position, id`, companyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lintel.Category
	index := map[int64]int{}
	for rows.Next() {
		var c lintel.Category
		if err := rows.Scan(&c.ID, &c.CompanyID, &c.Name, &c.Position, &c.Archived); err != nil {
			return nil, err
		}
		index[c.ID] = len(out)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT id, category_id, prompt, kind, options, required FROM category_questions
		WHERE company_id = $1 AND archived_at IS NULL ORDER BY category_id, position, id`, companyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var q lintel.Question
		var cat int64
		var kind, options string
		if err := rows.Scan(&q.ID, &cat, &q.Prompt, &kind, &options, &q.Required); err != nil {
			return nil, err
		}
		q.Kind = lintel.QuestionKind(kind)
		if options != "" {
			q.Options = strings.Split(options, "\n")
		}
		if i, ok := index[cat]; ok {
			out[i].Questions = append(out[i].Questions, q)
		}
	}
	return out, rows.Err()
}

// Categories lists the staff member's company's categories in use, with
// their questions.
func (db *DB) Categories(ctx context.Context, s lintel.Staff) ([]lintel.Category, error) {
	var out []lintel.Category
	err := db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.categories(ctx, s.CompanyID, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return out, nil
}

// ResidentCategories lists the categories a resident may choose from at
// one of their companies: 404 unless the resident is linked to it.
func (db *DB) ResidentCategories(ctx context.Context, r lintel.Resident, companyID int64) ([]lintel.Category, error) {
	var out []lintel.Category
	err := db.view(ctx, func(tx *Tx) error {
		var linked bool
		if err := tx.get(ctx, myContacts+`SELECT EXISTS (SELECT 1 FROM me WHERE company_id = $2)`, []any{r.UserID, companyID}, &linked); err != nil {
			return err
		}
		if !linked {
			return lintel.ErrNotFound
		}
		var err error
		out, err = tx.categories(ctx, companyID, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return out, nil
}

// CategoriesForEditing lists the company's categories, archived ones
// included (last), for the settings page.
func (db *DB) CategoriesForEditing(ctx context.Context, s lintel.Staff) ([]lintel.Category, error) {
	var out []lintel.Category
	err := db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.categories(ctx, s.CompanyID, true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	slices.SortStableFunc(out, func(a, b lintel.Category) int {
		switch {
		case a.Archived == b.Archived:
			return 0
		case a.Archived:
			return 1
		}
		return -1
	})
	return out, nil
}

// Category reads one of the company's categories with its questions.
func (db *DB) Category(ctx context.Context, s lintel.Staff, id int64) (lintel.Category, error) {
	cats, err := db.CategoriesForEditing(ctx, s)
	if err != nil {
		return lintel.Category{}, err
	}
	for _, c := range cats {
		if c.ID == id {
			return c, nil
		}
	}
	return lintel.Category{}, lintel.ErrNotFound
}

func validateCategoryName(tx *Tx, ctx context.Context, companyID, id int64, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", lintel.FieldErrors{"name": "Give the category a name, e.g. \"Windows\"."}.Err()
	case utf8.RuneCountInString(name) > 60:
		return "", lintel.FieldErrors{"name": "Keep the name under 60 characters."}.Err()
	}
	var taken bool
	if err := tx.get(ctx, `SELECT EXISTS (SELECT 1 FROM maintenance_categories WHERE company_id = $1 AND id <> $2 AND lower(name) = lower($3))`,
		[]any{companyID, id, name}, &taken); err != nil {
		return "", err
	}
	if taken {
		return "", lintel.FieldErrors{"name": "There is already a category with this name."}.Err()
	}
	return name, nil
}

// CreateCategory adds a category at the end of the list.
func (db *DB) CreateCategory(ctx context.Context, s lintel.Staff, name string) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		name, err := validateCategoryName(tx, ctx, s.CompanyID, 0, name)
		if err != nil {
			return err
		}
		id, err = tx.insert(ctx, `INSERT INTO maintenance_categories (company_id, name, position)
			VALUES ($1, $2, (SELECT COALESCE(MAX(position), -1) + 1 FROM maintenance_categories WHERE company_id = $1))`, s.CompanyID, name)
		if err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "category.create", "category", id, name)
	})
	return id, err
}

// RenameCategory changes a category's name. Requests keep the name they
// were submitted under.
func (db *DB) RenameCategory(ctx context.Context, s lintel.Staff, id int64, name string) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		if err := tx.ownCategory(ctx, s.CompanyID, id); err != nil {
			return err
		}
		name, err := validateCategoryName(tx, ctx, s.CompanyID, id, name)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE maintenance_categories SET name = $1 WHERE id = $2 AND company_id = $3`, name, id, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "category.rename", "category", id, name)
	})
}

func (tx *Tx) ownCategory(ctx context.Context, companyID, id int64) error {
	var one int
	return tx.get(ctx, `SELECT 1 FROM maintenance_categories WHERE id = $1 AND company_id = $2`, []any{id, companyID}, &one)
}

// SetCategoryArchived archives a category (residents no longer see it;
// its requests keep it) or brings it back.
func (db *DB) SetCategoryArchived(ctx context.Context, s lintel.Staff, id int64, archived bool) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		if err := tx.ownCategory(ctx, s.CompanyID, id); err != nil {
			return err
		}
		if archived {
			var left int
			if err := tx.get(ctx, `SELECT COUNT(*) FROM maintenance_categories WHERE company_id = $1 AND archived_at IS NULL AND id <> $2`,
				[]any{s.CompanyID, id}, &left); err != nil {
				return err
			}
			if left == 0 {
				return lintel.Conflict("Residents need at least one category to choose from. Add another before archiving this one.")
			}
		}
		if _, err := tx.exec(ctx, `UPDATE maintenance_categories SET archived_at = $1 WHERE id = $2 AND company_id = $3`,
			archivedAt(archived, tx), id, s.CompanyID); err != nil {
			return err
		}
		action := "category.unarchive"
		if archived {
			action = "category.archive"
		}
		return tx.staffAudit(ctx, s, action, "category", id, "")
	})
}

func archivedAt(archived bool, tx *Tx) any {
	if archived {
		return ts(tx.Now)
	}
	return nil
}

// MoveCategory moves a category one place up (delta -1) or down (+1) in
// the order residents see.
func (db *DB) MoveCategory(ctx context.Context, s lintel.Staff, id int64, delta int) error {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		return tx.move(ctx, "maintenance_categories", "company_id", s.CompanyID, s.CompanyID, id, delta)
	})
}

// move swaps row id with its neighbour in position order among the rows
// of table whose scopeCol equals scope, after renumbering them 0..n-1 (so
// equal positions cannot stall it).
func (tx *Tx) move(ctx context.Context, table, scopeCol string, companyID, scope, id int64, delta int) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM `+table+` WHERE company_id = $1 AND `+scopeCol+` = $2 AND archived_at IS NULL ORDER BY position, id`, companyID, scope)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	i := slices.Index(ids, id)
	if i < 0 {
		return lintel.ErrNotFound
	}
	if j := i + delta; j >= 0 && j < len(ids) {
		ids[i], ids[j] = ids[j], ids[i]
	}
	for pos, x := range ids {
		if _, err := tx.exec(ctx, `UPDATE `+table+` SET position = $1 WHERE id = $2 AND company_id = $3`, pos, x, companyID); err != nil {
			return err
		}
	}
	return nil
}

// validateQuestion normalizes a question and checks it.
func validateQuestion(q *lintel.Question) error {
	fe := lintel.FieldErrors{}
	q.Prompt = strings.TrimSpace(q.Prompt)
	switch {
	case q.Prompt == "":
		fe.Add("prompt", "Write the question residents will answer.")
	case utf8.RuneCountInString(q.Prompt) > 300:
		fe.Add("prompt", "Keep the question under 300 characters.")
	}
	var opts []string
	for _, o := range q.Options {
		if o = strings.TrimSpace(o); o != "" && !slices.Contains(opts, o) {
			opts = append(opts, o)
		}
	}
	q.Options = nil
	switch q.Kind {
	case lintel.QuestionText, lintel.QuestionYesNo:
	case lintel.QuestionChoice:
		q.Options = opts
		switch {
		case len(opts) < 2:
			fe.Add("options", "Give at least two answers to choose from, one per line.")
		case len(opts) > 20:
			fe.Add("options", "Give at most 20 answers.")
		}
		for _, o := range opts {
			if utf8.RuneCountInString(o) > 100 {
				fe.Add("options", "Keep each answer under 100 characters.")
				break
			}
		}
	default:
		fe.Add("kind", "Choose how the question is answered.")
	}
	return fe.Err()
}

// AddQuestion adds a troubleshooting question at the end of a category's.
func (db *DB) AddQuestion(ctx context.Context, s lintel.Staff, categoryID int64, q lintel.Question) (int64, error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.ownCategory(ctx, s.CompanyID, categoryID); err != nil {
			return err
		}
		if err := validateQuestion(&q); err != nil {
			return err
		}
		var err error
		id, err = tx.insert(ctx, `INSERT INTO category_questions (company_id, category_id, prompt, kind, options, required, position)
			VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(MAX(position), -1) + 1 FROM category_questions WHERE category_id = $2))`,
			s.CompanyID, categoryID, q.Prompt, string(q.Kind), strings.Join(q.Options, "\n"), q.Required)
		if err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "question.create", "category", categoryID, q.Prompt)
	})
	return id, err
}

// questionCategory returns the category of one of the company's questions.
func (tx *Tx) questionCategory(ctx context.Context, companyID, questionID int64) (int64, error) {
	var cat int64
	err := tx.get(ctx, `SELECT category_id FROM category_questions WHERE id = $1 AND company_id = $2 AND archived_at IS NULL`,
		[]any{questionID, companyID}, &cat)
	return cat, err
}

// UpdateQuestion changes a question. Requests keep the question as it was
// asked when they were submitted.
func (db *DB) UpdateQuestion(ctx context.Context, s lintel.Staff, questionID int64, q lintel.Question) (categoryID int64, err error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	err = db.update(ctx, func(tx *Tx) error {
		if categoryID, err = tx.questionCategory(ctx, s.CompanyID, questionID); err != nil {
			return err
		}
		if err := validateQuestion(&q); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE category_questions SET prompt = $1, kind = $2, options = $3, required = $4 WHERE id = $5 AND company_id = $6`,
			q.Prompt, string(q.Kind), strings.Join(q.Options, "\n"), q.Required, questionID, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "question.update", "category", categoryID, q.Prompt)
	})
	return categoryID, err
}

// RemoveQuestion archives a question: it is no longer asked, and answers
// already given keep it.
func (db *DB) RemoveQuestion(ctx context.Context, s lintel.Staff, questionID int64) (categoryID int64, err error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	err = db.update(ctx, func(tx *Tx) error {
		if categoryID, err = tx.questionCategory(ctx, s.CompanyID, questionID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE category_questions SET archived_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), questionID, s.CompanyID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "question.remove", "category", categoryID, fmt.Sprint(questionID))
	})
	return categoryID, err
}

// MoveQuestion moves a question one place up (-1) or down (+1).
func (db *DB) MoveQuestion(ctx context.Context, s lintel.Staff, questionID int64, delta int) (categoryID int64, err error) {
	if err := s.Require(lintel.PermEditRecords); err != nil {
		return 0, err
	}
	err = db.update(ctx, func(tx *Tx) error {
		if categoryID, err = tx.questionCategory(ctx, s.CompanyID, questionID); err != nil {
			return err
		}
		return tx.move(ctx, "category_questions", "category_id", s.CompanyID, categoryID, questionID, delta)
	})
	return categoryID, err
}
