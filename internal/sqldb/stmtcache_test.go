package sqldb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"modernc.org/sqlite"
)

func TestStmtCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	connect := func(t *testing.T) *stmtCacheConn {
		t.Helper()
		dsn := "file:" + filepath.Join(t.TempDir(), "c.db")
		dc, err := stmtCacheConnector{dsn: dsn, drv: &sqlite.Driver{}}.Connect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dc.Close() })
		c := dc.(*stmtCacheConn)
		mustExec(t, c, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`)
		mustExec(t, c, `INSERT INTO t (v) VALUES (?), (?), (?)`, "a", "b", "c")
		return c
	}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, c *stmtCacheConn)
	}{
		{"a query runs compiled once", func(t *testing.T, c *stmtCacheConn) {
			const q = `SELECT v FROM t WHERE id = ?`
			if got := queryAll(t, c, q, int64(2)); fmt.Sprint(got) != "[b]" {
				t.Fatalf("first run: %v", got)
			}
			first := c.stmts[q].Value.(*cachedStmt)
			if got := queryAll(t, c, q, int64(3)); fmt.Sprint(got) != "[c]" {
				t.Fatalf("second run, other argument: %v", got)
			}
			if c.stmts[q].Value.(*cachedStmt) != first {
				t.Fatal("the second run compiled the statement again")
			}
		}},
		{"the same query inside its own loop", func(t *testing.T, c *stmtCacheConn) {
			const q = `SELECT v FROM t ORDER BY id`
			outer, err := c.QueryContext(ctx, q, nil)
			if err != nil {
				t.Fatal(err)
			}
			row := make([]driver.Value, 1)
			n := 0
			for outer.Next(row) == nil {
				if inner := queryAll(t, c, q); len(inner) != 3 {
					t.Fatalf("inner run: %v", inner)
				}
				n++
			}
			outer.Close()
			if n != 3 {
				t.Fatalf("outer loop saw %d rows, want 3", n)
			}
			if got := queryAll(t, c, q); len(got) != 3 {
				t.Fatalf("after: %v", got)
			}
		}},
		{"an exec with arguments, run again", func(t *testing.T, c *stmtCacheConn) {
			for _, v := range []string{"d", "e"} {
				mustExec(t, c, `INSERT INTO t (v) VALUES (?)`, v)
			}
			if got := queryAll(t, c, `SELECT count(*) FROM t`); fmt.Sprint(got) != "[5]" {
				t.Fatalf("count = %v", got)
			}
		}},
		{"a script of several statements", func(t *testing.T, c *stmtCacheConn) {
			mustExec(t, c, `CREATE TABLE u (x INTEGER); INSERT INTO u VALUES (1); INSERT INTO u VALUES (2);`)
			if got := queryAll(t, c, `SELECT sum(x) FROM u`); fmt.Sprint(got) != "[3]" {
				t.Fatalf("sum = %v", got)
			}
		}},
		{"a compiled query after the schema changed", func(t *testing.T, c *stmtCacheConn) {
			const q = `SELECT * FROM t WHERE id = 1`
			queryAll(t, c, q)
			mustExec(t, c, `ALTER TABLE t ADD COLUMN w TEXT DEFAULT 'new'`)
			got, err := queryRow(c, q)
			if err != nil || len(got) != 3 || got[2] != "new" {
				t.Fatalf("after ALTER TABLE: %v, %v", got, err)
			}
		}},
		{"an error leaves the statement usable", func(t *testing.T, c *stmtCacheConn) {
			const q = `INSERT INTO t (id, v) VALUES (?, ?)`
			if _, err := c.ExecContext(ctx, q, args(int64(1), "dup")); err == nil {
				t.Fatal("a duplicate id was accepted")
			}
			mustExec(t, c, q, int64(10), "ten")
		}},
		{"a bulk statement is not kept", func(t *testing.T, c *stmtCacheConn) {
			q := `INSERT INTO t (v) VALUES (?)` + strings.Repeat(`, (?)`, stmtCacheMaxSQL/5)
			vs := make([]any, stmtCacheMaxSQL/5+1)
			for i := range vs {
				vs[i] = "bulk"
			}
			mustExec(t, c, q, vs...)
			if _, ok := c.stmts[q]; ok {
				t.Fatal("a statement longer than stmtCacheMaxSQL was kept")
			}
			if got := queryAll(t, c, `SELECT count(*) FROM t WHERE v = 'bulk'`); fmt.Sprint(got) != fmt.Sprint([]driver.Value{int64(len(vs))}) {
				t.Fatalf("bulk rows = %v, want %d", got, len(vs))
			}
		}},
		{"past the bound the oldest are finalized", func(t *testing.T, c *stmtCacheConn) {
			for i := range stmtCacheSize + 10 {
				queryAll(t, c, fmt.Sprintf(`SELECT v FROM t WHERE id = %d`, i))
			}
			if len(c.stmts) != stmtCacheSize || c.order.Len() != stmtCacheSize {
				t.Fatalf("%d statements kept (%d in order), want %d", len(c.stmts), c.order.Len(), stmtCacheSize)
			}
			if _, ok := c.stmts[`SELECT v FROM t WHERE id = 0`]; ok {
				t.Fatal("the least recently used statement is still kept")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, connect(t)) })
	}
}

func args(vs ...any) []driver.NamedValue {
	out := make([]driver.NamedValue, len(vs))
	for i, v := range vs {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

func mustExec(t *testing.T, c *stmtCacheConn, q string, vs ...any) {
	t.Helper()
	if _, err := c.ExecContext(context.Background(), q, args(vs...)); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// queryAll returns the first column of every row.
func queryAll(t *testing.T, c *stmtCacheConn, q string, vs ...any) []driver.Value {
	t.Helper()
	rows, err := c.QueryContext(context.Background(), q, args(vs...))
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []driver.Value
	row := make([]driver.Value, len(rows.Columns()))
	for {
		err := rows.Next(row)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, row[0])
	}
}

func queryRow(c *stmtCacheConn, q string) ([]driver.Value, error) {
	rows, err := c.QueryContext(context.Background(), q, nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	row := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(row); err != nil {
		return nil, err
	}
	return row, nil
}
