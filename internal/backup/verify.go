package backup

import (
	"context"
	"fmt"
	"sort"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/sqldb"
)

// FileCheck is what CheckFiles found.
type FileCheck struct {
	Rows     int      // file rows in the database
	Bytes    int64    // their sizes summed
	Problems []string // one line each, sorted
}

// maxProblems bounds what CheckFiles lists: a store pointed at the wrong
// folder would otherwise print every file.
const maxProblems = 1000

// CheckFiles compares the database's file rows with what the store holds:
// every row must have its stored object of the recorded size, and every
// stored object a row. An object without a row is usually an upload that
// failed after its file was stored (or one in progress while this runs);
// a row without its object is a file people cannot open.
func CheckFiles(ctx context.Context, db *sqldb.DB, store blob.Lister) (FileCheck, error) {
	var c FileCheck
	rows := map[string]int64{}
	err := db.EachStoredFile(ctx, func(key string, size int64) error {
		rows[key] = size
		c.Rows++
		c.Bytes += size
		return nil
	})
	if err != nil {
		return FileCheck{}, err
	}
	var problems []string
	add := func(format string, args ...any) {
		if len(problems) < maxProblems {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	err = store.List(ctx, func(key string, size int64) error {
		want, ok := rows[key]
		if !ok {
			add("stored object %s (%d bytes) has no file row", key, size)
			return nil
		}
		delete(rows, key)
		if size != want {
			add("stored object %s is %d bytes, its file row says %d", key, size, want)
		}
		return nil
	})
	if err != nil {
		return FileCheck{}, err
	}
	for key, size := range rows {
		add("file row %s (%d bytes) has no stored object", key, size)
	}
	sort.Strings(problems)
	c.Problems = problems
	return c, nil
}
