package sqldb

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// tsLayout is how instants are stored on both databases: fixed width and
// UTC, so text order is time order.
const tsLayout = "2006-01-02T15:04:05.000000Z"

// ts formats t for storage.
func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

// tsNull formats t for storage, NULL when t is zero.
func tsNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// timeCol scans a stored instant into a time.Time; NULL becomes the zero time.
type timeCol time.Time

func (c *timeCol) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*c = timeCol{}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	case time.Time:
		*c = timeCol(v.UTC())
		return nil
	default:
		return fmt.Errorf("cannot scan %T as a time", src)
	}
	t, err := time.Parse(tsLayout, s)
	if err != nil {
		return fmt.Errorf("stored time %q: %w", s, err)
	}
	*c = timeCol(t)
	return nil
}

// Value lets a timeCol be passed as a parameter too.
func (c timeCol) Value() (driver.Value, error) { return tsNull(time.Time(c)), nil }

// at adapts a *time.Time for Scan.
func at(t *time.Time) *timeCol { return (*timeCol)(t) }
