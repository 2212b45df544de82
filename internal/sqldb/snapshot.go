package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Snapshot returns every row of every table as text, table by table, for
// tests that prove a request changed nothing (the GET walk: SECURITY.md 6).
// Tables named in skip are left out.
func (db *DB) Snapshot(ctx context.Context, skip ...string) (map[string]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.dialect == Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	out := map[string]string{}
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		var tables []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return err
			}
			if !slices.Contains(skip, name) {
				tables = append(tables, name)
			}
		}
		rows.Close()
		for _, t := range tables {
			// Table names come from the catalogue, not from input.
			rows, err := tx.QueryContext(ctx, "SELECT * FROM "+t+" ORDER BY 1")
			if err != nil {
				return fmt.Errorf("snapshot %s: %w", t, err)
			}
			cols, _ := rows.Columns()
			var b strings.Builder
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				for i, v := range vals {
					if bs, ok := v.([]byte); ok {
						v = string(bs)
					}
					fmt.Fprintf(&b, "%s=%v\t", cols[i], v)
				}
				b.WriteByte('\n')
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			out[t] = b.String()
		}
		return nil
	})
	return out, err
}
