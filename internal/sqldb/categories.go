package sqldb

import (
	"context"
	"fmt"
	"strings"

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
