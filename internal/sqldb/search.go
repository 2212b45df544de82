package sqldb

import (
	"context"
	"strings"
	"unicode/utf8"
)

// The lists' text searches keep one meaning on both engines: the words
// typed, anywhere in a field, in any case (likePattern's LIKE). What
// differs is how the rows to test are found without reading the whole
// company:
//
//   - PostgreSQL: GIN trigram indexes on the same lower(...) expressions
//     (migration 0017) serve the LIKE itself, rechecking each row.
//   - SQLite: FTS5 trigram indexes (migration 0017, detail=none) give the
//     rows holding every trigram of the query (ftsQuery); the LIKE then
//     rechecks only those.
//
// Neither index can answer fewer than three characters; such a query runs
// the LIKE alone, over the rows the list's other conditions leave.

// ftsQuery turns what a person typed into an FTS5 query for the SQLite
// trigram indexes: trigrams of q that between them cover every character,
// each a quoted string (a doubled quote inside) so that nothing typed is
// read as query syntax, ANDed. Every row containing q matches, and maybe a
// few that hold the same trigrams in another order, which the caller's
// LIKE drops. ok is false when the index cannot help: q shorter than
// three characters, or not UTF-8 (the index would see other characters
// than the LIKE does).
func ftsQuery(q string) (query string, ok bool) {
	q = strings.TrimSpace(q)
	if !utf8.ValidString(q) {
		return "", false
	}
	r := []rune(q)
	if len(r) < 3 {
		return "", false
	}
	// Past a few terms each one narrows the candidates little and costs
	// another doclist to read; the LIKE checks the rest of the query.
	const maxTerms = 12
	var terms []string
	seen := map[string]bool{}
	add := func(i int) {
		t := string(r[i : i+3])
		if !seen[t] {
			seen[t] = true
			terms = append(terms, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		}
	}
	for i := 0; i+3 <= len(r) && len(terms) < maxTerms-1; i += 3 {
		add(i)
	}
	add(len(r) - 3)
	return strings.Join(terms, " AND "), true
}

// textSearch is one search's parameters in a query being built.
type textSearch struct {
	pattern  string // the placeholder of likePattern(q)
	fts      string // SQLite: the placeholder of ftsQuery(q); "" when no FTS5 index is asked
	trigram  bool   // PostgreSQL: the trigram indexes can serve the LIKE
	postgres bool
}

// newTextSearch adds the parameters of a search for q to args.
func (db *DB) newTextSearch(args *sqlArgs, q string) textSearch {
	ts := textSearch{pattern: args.add(likePattern(q))}
	m, ok := ftsQuery(q)
	switch {
	case db.dialect == SQLite && ok:
		ts.fts = args.add(m)
	case db.dialect == Postgres:
		ts.trigram, ts.postgres = ok, true
	}
	return ts
}

// indexed reports whether an index finds the rows to test.
func (ts textSearch) indexed() bool { return ts.fts != "" || ts.trigram }

// plan makes PostgreSQL plan the rest of tx's queries for the words being
// searched. A plan made once for any words (the generic plan of a
// prepared statement) cannot tell that two characters are too few for a
// trigram index, and reads all of it; nor how many rows a word will match,
// and so guesses from the LIMIT, which sends it walking the list's order.
func (ts textSearch) plan(ctx context.Context, tx *Tx) error {
	if !ts.postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`)
	return err
}

// like is the condition that one of exprs (lower-case text) contains the
// search: the one meaning of every list's search.
func (ts textSearch) like(exprs ...string) string {
	conds := make([]string, len(exprs))
	for i, e := range exprs {
		conds[i] = e + ` LIKE lower(` + ts.pattern + `) ESCAPE '\'`
	}
	return `(` + strings.Join(conds, ` OR `) + `)`
}

// candidates is the condition that id is the rowid of a row of the FTS5
// table fts holding the search's trigrams, or "" when no FTS5 index is
// asked. It narrows and never decides: a LIKE must follow.
func (ts textSearch) candidates(id, fts string) string {
	if ts.fts == "" {
		return ""
	}
	return id + ` IN (SELECT rowid FROM ` + fts + ` WHERE ` + fts + ` MATCH ` + ts.fts + `)`
}

// match is the condition that the row whose id is id has one of exprs
// containing the search, found through fts on SQLite.
func (ts textSearch) match(id, fts string, exprs ...string) string {
	if c := ts.candidates(id, fts); c != "" {
		return c + ` AND ` + ts.like(exprs...)
	}
	return ts.like(exprs...)
}

// scope is the condition col = company that keeps a query to one company.
// When an FTS5 index is asked it is written +col: without ANALYZE's
// statistics SQLite takes an index on company_id for the narrower start,
// and would walk every row of the company testing each against the few
// the FTS5 index found, instead of fetching those few.
func (ts textSearch) scope(col, company string) string {
	if ts.fts != "" {
		return `+` + col + ` = ` + company
	}
	return col + ` = ` + company
}

// sortKey is col, a text column a list sorts by. When the trigram indexes
// serve the search it is written so that no B-tree index gives its order:
// PostgreSQL would otherwise read the company's rows in that order,
// filtering, whenever it expects a page of matches soon. That estimate is
// wrong for just the rare words the index is for (a word common in
// another company counts towards it).
func (ts textSearch) sortKey(col string) string {
	if ts.trigram {
		return col + ` || ''`
	}
	return col
}

// ids is a subquery selecting sel from the company's rows of table (as
// alias, with an id column) where one of exprs contains the search.
func (ts textSearch) ids(sel, table, alias, fts, company string, exprs ...string) string {
	return `SELECT ` + sel + ` FROM ` + table + ` ` + alias + ` WHERE ` + ts.scope(alias+`.company_id`, company) +
		` AND ` + ts.match(alias+`.id`, fts, exprs...)
}
