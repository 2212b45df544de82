package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lintel.dev/lintel/internal/sqldb"
)

// target is what a page must reach: a share of the no-op handler's rate and
// a p99 latency.
type target struct {
	pct float64
	p99 time.Duration
}

var (
	residentTarget = target{pct: 10, p99: 100 * time.Millisecond}
	managerTarget  = target{pct: 3, p99: 250 * time.Millisecond}
)

type page struct {
	name, path, cookie string
	target             target
}

// check asks for the page once: a page that fails is a broken dataset or a
// broken page, not a figure.
func (p page) check(ctx context.Context, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+p.path, nil)
	if err != nil {
		return err
	}
	if p.cookie != "" {
		req.Header.Set("Cookie", p.cookie)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s (%s): %w", p.name, p.path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s (%s) answered %d, not 200: %.300s", p.name, p.path, resp.StatusCode, body)
	}
	return nil
}

// pageSet is the dataset's people and the pages each of them opens.
type pageSet struct {
	ds                     sqldb.LoadDataset
	manager, tenant, owner string // Cookie header values
	task                   string // the contractor link's raw token
}

func (s pageSet) pages(only string) []page {
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	all := []page{
		{"tenant home", "/portal", s.tenant, residentTarget},
		{"tenant maintenance list", "/portal/maintenance", s.tenant, residentTarget},
		{"tenant billing", "/portal/billing", s.tenant, residentTarget},
		{"tenant account", "/portal/billing/leases/" + id(s.ds.TenantLeaseID), s.tenant, residentTarget},
		{"tenant lease", "/portal/lease", s.tenant, residentTarget},
		{"owner assets", "/portal/assets", s.owner, residentTarget},
		{"owner billing", "/portal/billing", s.owner, residentTarget},
		{"owner maintenance", "/portal/maintenance", s.owner, residentTarget},
		{"contractor task page", "/t/" + s.task, "", residentTarget},
		{"manager dashboard", "/manage", s.manager, managerTarget},
		{"manager maintenance list", "/manage/maintenance", s.manager, managerTarget},
		{"manager maintenance, status filter", "/manage/maintenance?status=assigned", s.manager, managerTarget},
		{"manager maintenance, all statuses", "/manage/maintenance?status=all", s.manager, managerTarget},
		{"manager maintenance, property filter", "/manage/maintenance?status=all&property=" + id(s.ds.PropertyID), s.manager, managerTarget},
		{"manager search, few matches", "/manage/maintenance?q=Dishwasher", s.manager, managerTarget},
		{"manager search, none", "/manage/maintenance?q=zzyzx", s.manager, managerTarget},
		{"manager search, all statuses", "/manage/maintenance?status=all&q=Dishwasher", s.manager, managerTarget},
		{"manager request page", "/manage/maintenance/" + id(s.ds.RequestID), s.manager, managerTarget},
		{"receivables", "/manage/billing", s.manager, managerTarget},
		{"rent roll", "/manage/billing/rent-roll", s.manager, managerTarget},
		{"lease ledger", "/manage/leases/" + id(s.ds.TenantLeaseID) + "/ledger", s.manager, managerTarget},
		{"owner ledger", "/manage/owners/" + id(s.ds.OwnerContactID) + "/ledger", s.manager, managerTarget},
		{"contacts", "/manage/contacts", s.manager, managerTarget},
		{"contacts search", "/manage/contacts?q=Nowak", s.manager, managerTarget},
		{"properties", "/manage/properties", s.manager, managerTarget},
		{"leases", "/manage/leases", s.manager, managerTarget},
	}
	if only == "" {
		return all
	}
	var out []page
	for _, p := range all {
		for _, name := range strings.Split(only, ",") {
			if strings.TrimSpace(name) == p.name {
				out = append(out, p)
			}
		}
	}
	return out
}
