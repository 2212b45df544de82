package sqldb

import (
	"context"
	"fmt"
	"sync"

	"lintel.dev/lintel/internal/lintel"
)

// DashboardCounts are the numbers the manager's dashboard shows and
// decides its "what to do next" from. Records in use only.
type DashboardCounts struct {
	Properties      int
	Units           int // rentable units of properties in use
	CommonAreas     int
	OccupiedUnits   int // units a lease covers today
	Tenants         int
	Owners          int
	Operators       int
	ActiveLeases    int
	UpcomingLeases  int
	EndingSoon      int // active leases ending within EndingSoonDays
	Unowned         int // properties in use with no owner recorded, of the property or of any unit
	TenantsNotAsked int // tenants on a current lease never invited to the portal
}

// EndingSoonDays is how far ahead the dashboard looks for leases ending.
const EndingSoonDays = 60

// unitsInUse counts the company's units in use of one kind (common is the
// SQL literal TRUE or FALSE) as all units in use minus those of archived
// properties: the first is a range of the units_company_kind index, the
// second touches only the few archived properties. A join of every unit to
// its property would read the whole table.
func unitsInUse(common string) string {
	return `((SELECT COUNT(*) FROM units u WHERE u.company_id = $1 AND u.common_area = ` + common + ` AND u.archived_at IS NULL)
		- (SELECT COUNT(*) FROM properties p JOIN units u ON u.property_id = p.id
			WHERE p.company_id = $1 AND p.archived_at IS NOT NULL AND u.common_area = ` + common + ` AND u.archived_at IS NULL))`
}

// companyCache keeps, per company, a figure that reads the whole company
// (the dashboard's counts, the rent roll's totals) with the versions and
// the day it was computed for: a manager comes back to those pages many
// times between changes. The versions live in the database
// (records_versions, moved on by triggers), so a change made on any node
// is seen on the next view.
type companyCache[T any] struct {
	mu sync.Mutex
	m  map[int64]cachedFigure[T]
}

// figureKey is what a kept figure is valid for.
type figureKey struct {
	records, ledger int64
	day             lintel.Date
}

type cachedFigure[T any] struct {
	key figureKey
	v   T
}

func (c *companyCache[T]) get(company int64, key figureKey) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[company]
	return e.v, ok && e.key == key
}

func (c *companyCache[T]) put(company int64, key figureKey, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]cachedFigure[T]{}
	}
	c.m[company] = cachedFigure[T]{key, v}
}

// figureVersions reads the company's versions for a kept figure. They are
// read before the figure is computed: the figure is then at least as new
// as the versions it is kept under (PostgreSQL's statements may see later
// commits than the one before them, never earlier).
func (tx *Tx) figureVersions(ctx context.Context, company int64, day lintel.Date) (figureKey, error) {
	k := figureKey{day: day}
	err := tx.get(ctx, `SELECT COALESCE((SELECT version FROM records_versions WHERE company_id = $1), 0),
		COALESCE((SELECT ledger_version FROM records_versions WHERE company_id = $1), 0)`,
		[]any{company}, &k.records, &k.ledger)
	return k, err
}

// DashboardCounts counts the company's records in one round trip (each
// count an index range scan of one company's rows), or returns the counts
// of an earlier view when no record has changed since, that day.
func (db *DB) DashboardCounts(ctx context.Context, s lintel.Staff) (DashboardCounts, error) {
	var d DashboardCounts
	err := db.view(ctx, func(tx *Tx) error {
		today := lintel.DateOf(tx.Now)
		key, err := tx.figureVersions(ctx, s.CompanyID, today)
		if err != nil {
			return err
		}
		key.ledger = 0 // the counts read no balances
		if cached, ok := db.dashboards.get(s.CompanyID, key); ok {
			d = cached
			return nil
		}
		day, soon := db.unplanned("$2"), db.unplanned("$3")
		current := `l.archived_at IS NULL AND l.start_date <= ` + day + ` AND (l.end_date IS NULL OR l.end_date >= ` + day + `)`
		err = tx.get(ctx, `SELECT
			(SELECT COUNT(*) FROM properties p WHERE p.company_id = $1 AND p.archived_at IS NULL),
			`+unitsInUse("FALSE")+`,
			`+unitsInUse("TRUE")+`,
			(SELECT COUNT(DISTINCT l.unit_id) FROM leases l JOIN units u ON u.id = l.unit_id
				WHERE l.company_id = $1 AND u.archived_at IS NULL AND `+current+`),
			(SELECT COUNT(*) FROM contacts c WHERE c.company_id = $1 AND c.archived_at IS NULL AND c.is_tenant),
			(SELECT COUNT(*) FROM contacts c WHERE c.company_id = $1 AND c.archived_at IS NULL AND c.is_owner),
			(SELECT COUNT(*) FROM contacts c WHERE c.company_id = $1 AND c.archived_at IS NULL AND c.is_operator),
			(SELECT COUNT(*) FROM leases l WHERE l.company_id = $1 AND `+current+`),
			(SELECT COUNT(*) FROM leases l WHERE l.company_id = $1 AND l.archived_at IS NULL AND l.start_date > `+day+`),
			(SELECT COUNT(*) FROM leases l WHERE l.company_id = $1 AND `+current+` AND l.end_date IS NOT NULL AND l.end_date <= `+soon+`),
			(SELECT COUNT(*) FROM properties p WHERE p.company_id = $1 AND p.archived_at IS NULL
				AND NOT EXISTS (SELECT 1 FROM ownerships o WHERE o.property_id = p.id AND o.archived_at IS NULL
					AND (o.end_date IS NULL OR o.end_date >= $2))),
			(SELECT COUNT(*) FROM contacts c WHERE c.company_id = $1 AND c.archived_at IS NULL AND c.is_tenant AND c.portal_invited_at IS NULL
				AND EXISTS (SELECT 1 FROM lease_tenants lt JOIN leases l ON l.id = lt.lease_id WHERE lt.contact_id = c.id AND `+current+`))`,
			[]any{s.CompanyID, today, today.AddDays(EndingSoonDays)},
			&d.Properties, &d.Units, &d.CommonAreas, &d.OccupiedUnits, &d.Tenants, &d.Owners, &d.Operators,
			&d.ActiveLeases, &d.UpcomingLeases, &d.EndingSoon, &d.Unowned, &d.TenantsNotAsked)
		if err == nil {
			db.dashboards.put(s.CompanyID, key, d)
		}
		return err
	})
	if err != nil {
		return DashboardCounts{}, fmt.Errorf("dashboard counts: %w", err)
	}
	return d, nil
}
