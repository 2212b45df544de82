package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/web"
)

// BenchmarkPages serves every load page in process, through the same
// handler the binary serves, so a page's cost can be profiled with
// -cpuprofile / -memprofile without wrk and a second process in the way:
//
//	go test ./cmd/lintel-load -run '^$' -bench 'Pages/owner_billing' -cpuprofile cpu.out
//
// LINTEL_BENCH_SCALE (default 0.1) sizes the company; LINTEL_BENCH_DIR keeps
// the dataset's people between runs, and the SQLite dataset itself (it is
// built once per folder), which matters at scale 1 where the build takes
// minutes. LINTEL_BENCH_POSTGRES_URL (an admin URL) benchmarks PostgreSQL
// instead: the folder then remembers the database made for it.
func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	scale := 0.1
	if v := os.Getenv("LINTEL_BENCH_SCALE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			b.Fatalf("LINTEL_BENCH_SCALE=%q: %v", v, err)
		}
		scale = f
	}
	dir := os.Getenv("LINTEL_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	set, dbURL := benchDataset(b, ctx, dir, scale, os.Getenv("LINTEL_BENCH_POSTGRES_URL"))

	db, err := sqldb.Open(ctx, dbURL, dir, sqldb.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	// Sessions of a kept dataset may have gone idle since it was built
	// (staff sessions do after 30 minutes): every run signs in afresh.
	if err := set.signIn(ctx, db); err != nil {
		b.Fatal(err)
	}
	srv, err := web.New(web.Config{BaseURL: &url.URL{Scheme: "http", Host: "localhost:8080"}}, db, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	for _, p := range set.pages("") {
		b.Run(strings.ReplaceAll(p.name, " ", "_"), func(b *testing.B) {
			get := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, "http://localhost:8080"+p.path, nil)
				if p.cookie != "" {
					req.Header.Set("Cookie", p.cookie)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			if rec := get(); rec.Code != http.StatusOK {
				b.Fatalf("%s answered %d: %.300s", p.path, rec.Code, rec.Body.String())
			}
			b.ReportAllocs()
			// CPU time per view, the figure that holds on a busy machine
			// where the wall-clock ns/op does not.
			before := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					get()
				}
			})
			b.ReportMetric(float64(processCPU()-before)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}

// benchDataset builds the dataset once per dir (in a new PostgreSQL
// database when admin is set) and remembers its people, and the database,
// in dir/pages.json.
func benchDataset(b *testing.B, ctx context.Context, dir string, scale float64, admin string) (pageSet, string) {
	marker := filepath.Join(dir, "pages.json")
	if raw, err := os.ReadFile(marker); err == nil {
		var saved savedSet
		if err := json.Unmarshal(raw, &saved); err != nil {
			b.Fatalf("%s: %v (remove the folder to build it again)", marker, err)
		}
		if saved.Scale != scale || (saved.DatabaseURL != "") != (admin != "") {
			b.Fatalf("%s holds scale %g (database %q), not %g on this engine: use another LINTEL_BENCH_DIR", dir, saved.Scale, saved.DatabaseURL, scale)
		}
		return saved.set(), saved.DatabaseURL
	}
	dbURL := ""
	if admin != "" {
		u, err := freshPostgres(ctx, admin)
		if err != nil {
			b.Fatal(err)
		}
		dbURL = u
	}
	set, _, err := prepare(ctx, dbURL, dir, sqldb.LoadScale(scale))
	if err != nil {
		b.Fatal(err)
	}
	raw, err := json.Marshal(savedSet{Scale: scale, DatabaseURL: dbURL, DS: set.ds, Manager: set.manager, Tenant: set.tenant, Owner: set.owner, Task: set.task})
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(marker, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	return set, dbURL
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type savedSet struct {
	Scale                        float64
	DatabaseURL                  string `json:",omitempty"`
	DS                           sqldb.LoadDataset
	Manager, Tenant, Owner, Task string
}

func (s savedSet) set() pageSet {
	return pageSet{ds: s.DS, manager: s.Manager, tenant: s.Tenant, owner: s.Owner, task: s.Task}
}
