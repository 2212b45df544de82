package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SeedRequestsForBench gives companyID n maintenance requests over its
// units (SeedUnitsForBench first), one every 15 minutes back from now, as
// a busy company accumulates them: about 5% still open, the rest closed or
// cancelled; most with a visit by one of 10 operators. Multi-row INSERTs
// in one transaction: one statement per row would dominate the benchmark.
func (db *DB) SeedRequestsForBench(ctx context.Context, companyID int64, n int) error {
	return db.update(ctx, func(tx *Tx) error {
		now := tx.Now
		type unit struct{ id, property int64 }
		var units []unit
		rows, err := tx.QueryContext(ctx, `SELECT id, property_id FROM units WHERE company_id = $1 ORDER BY id`, companyID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var u unit
			if err := rows.Scan(&u.id, &u.property); err != nil {
				rows.Close()
				return err
			}
			units = append(units, u)
		}
		rows.Close()
		if len(units) == 0 {
			return fmt.Errorf("company %d has no units: seed them first", companyID)
		}
		var cats []int64
		rows, err = tx.QueryContext(ctx, `SELECT id FROM maintenance_categories WHERE company_id = $1 ORDER BY id`, companyID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			cats = append(cats, id)
		}
		rows.Close()
		var ops []int64
		for i := range 10 {
			id, err := tx.insert(ctx, `INSERT INTO contacts (company_id, name, is_operator, trades, created_at, updated_at) VALUES ($1, $2, TRUE, 'plumbing', $3, $3)`,
				companyID, fmt.Sprintf("Operator %02d", i), ts(now))
			if err != nil {
				return err
			}
			ops = append(ops, id)
		}
		words := []string{"tap drips", "boiler pressure low", "door sticks", "light flickers", "fridge warm", "mould in bathroom", "window will not close", "radiator cold"}
		statusOf := func(i int) string {
			switch {
			case i%20 == 0:
				return []string{"submitted", "assigned", "scheduled", "in_progress", "completed"}[(i/20)%5]
			case i%7 == 0:
				return "cancelled"
			}
			return "closed"
		}
		const batch = 200 // 13 parameters a row: under SQLite's limit
		first := 0
		for start := 0; start < n; start += batch {
			var sb strings.Builder
			var args []any
			for i := start; i < min(start+batch, n); i++ {
				if len(args) > 0 {
					sb.WriteString(",")
				}
				k := len(args)
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
					k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+10, k+11, k+12, k+13)
				u := units[i%len(units)]
				created := now.Add(-time.Duration(n-i) * 15 * time.Minute)
				w := words[i%len(words)]
				st := statusOf(i)
				var closed any
				if st == "closed" || st == "cancelled" {
					closed = ts(created.Add(48 * time.Hour))
				}
				args = append(args, companyID, u.property, u.id, cats[i%len(cats)], "Category",
					fmt.Sprintf("Request %06d: %s", i, w),
					"The tenant reports that the "+w+". It started a few days ago and is getting worse; please call before coming round.",
					"normal", st, ts(created), ts(created), closed, "Weekday mornings")
			}
			if _, err := tx.exec(ctx, `INSERT INTO requests (company_id, property_id, unit_id, category_id, category_name, summary, description,
				priority, status, created_at, updated_at, closed_at, access_times) VALUES `+sb.String(), args...); err != nil {
				return err
			}
		}
		if err := tx.get(ctx, `SELECT MIN(id) FROM requests WHERE company_id = $1 AND summary LIKE 'Request %'`, []any{companyID}, &first); err != nil {
			return err
		}
		// Visits: every request past triage has one, completed when closed;
		// every tenth closed one had an earlier visit by another operator.
		type visit struct {
			request, operator int64
			status            string
		}
		var visits []visit
		for i := range n {
			st := statusOf(i)
			if st == "submitted" || (st == "cancelled" && i%3 == 0) {
				continue
			}
			id := int64(first + i)
			if i%10 == 1 {
				visits = append(visits, visit{id, ops[(i+1)%len(ops)], "reassigned"})
			}
			vs := map[string]string{"assigned": "assigned", "scheduled": "scheduled", "in_progress": "scheduled", "completed": "completed",
				"closed": "completed", "cancelled": "cancelled"}[st]
			visits = append(visits, visit{id, ops[i%len(ops)], vs})
		}
		for start := 0; start < len(visits); start += batch {
			var sb strings.Builder
			var args []any
			for _, v := range visits[start:min(start+batch, len(visits))] {
				if len(args) > 0 {
					sb.WriteString(",")
				}
				k := len(args)
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+5)
				args = append(args, companyID, v.request, v.operator, v.status, ts(now))
			}
			if _, err := tx.exec(ctx, `INSERT INTO visits (company_id, request_id, operator_id, status, created_at, updated_at) VALUES `+sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// AnalyzeForBench gathers PostgreSQL's planner statistics now, as its
// autovacuum would soon after a bulk load in production; without them
// the planner guesses. SQLite is left as Lintel runs it, without ANALYZE.
func (db *DB) AnalyzeForBench(ctx context.Context) error {
	if db.dialect != Postgres {
		return nil
	}
	_, err := db.write.ExecContext(ctx, `ANALYZE`)
	return err
}
