package web

import (
	"strings"
	"testing"

	"lintel.dev/lintel/internal/sqldb"
)

func TestNextSteps(t *testing.T) {
	t.Parallel()
	setUp := sqldb.DashboardCounts{Properties: 2, Units: 5, OccupiedUnits: 5, Tenants: 6, Owners: 1, ActiveLeases: 5}
	tests := []struct {
		name string
		c    sqldb.DashboardCounts
		want []string // the links, in order
	}{
		{"new company", sqldb.DashboardCounts{}, []string{"/manage/properties/new"}},
		{"properties, no units", sqldb.DashboardCounts{Properties: 1, CommonAreas: 1}, []string{"/manage/properties"}},
		{"units, no tenants", sqldb.DashboardCounts{Properties: 1, Units: 3, Owners: 1}, []string{"/manage/contacts/new?role=tenant"}},
		{"tenants, no leases", sqldb.DashboardCounts{Properties: 1, Units: 3, Tenants: 2}, []string{"/manage/leases/new"}},
		{"only an upcoming lease counts as started", sqldb.DashboardCounts{Properties: 1, Units: 1, Tenants: 1, UpcomingLeases: 1, Owners: 1}, []string{"/manage/units?occupancy=vacant"}},
		{"all set up", setUp, nil},
		{"loose ends", sqldb.DashboardCounts{Properties: 2, Units: 5, OccupiedUnits: 3, Tenants: 6, ActiveLeases: 3, EndingSoon: 1, Unowned: 1, TenantsNotAsked: 2},
			[]string{"/manage/contacts?role=tenant", "/manage/leases", "/manage/units?occupancy=vacant", "/manage/properties", "/manage/contacts/new?role=owner"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := nextSteps(tt.c)
			var got []string
			for _, s := range steps {
				got = append(got, s.Href)
				if s.Text == "" || s.Action == "" {
					t.Errorf("step %+v says nothing", s)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("links = %v, want %v", got, tt.want)
			}
		})
	}
	if s := nextSteps(sqldb.DashboardCounts{Properties: 1, Units: 1, Tenants: 1, ActiveLeases: 1, Owners: 1, TenantsNotAsked: 1}); !strings.HasPrefix(s[0].Text, "1 tenant on a current lease has") {
		t.Errorf("singular: %q", s[0].Text)
	}
}
