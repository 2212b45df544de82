// Command lintel-load is the load harness behind `make load`: it writes a
// large company into a fresh database (SQLite, PostgreSQL or both), starts
// the real lintel binary on it, and measures every page of the portal, the
// manager app and the contractor link with wrk, each page interleaved with
// a no-op Go handler on the same machine so the table reads as a share of
// what this machine can serve at all.
//
//	go run ./cmd/lintel-load -scale 0.1 -engine sqlite
//	go run ./cmd/lintel-load -scale 1 -engine postgres -postgres-url postgres://...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/sqldb"
)

type options struct {
	scale       float64
	engines     []string
	postgresURL string
	duration    time.Duration
	connections int
	threads     int
	rounds      int
	only        string
	dir         string
	keep        bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "lintel-load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("lintel-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Float64Var(&o.scale, "scale", envFloat("SCALE", 0.1), "dataset size: 1 is 5,000 units and about 2 million ledger postings (env SCALE)")
	engine := fs.String("engine", envString("ENGINE", "sqlite"), "sqlite, postgres or both (env ENGINE)")
	fs.StringVar(&o.postgresURL, "postgres-url", os.Getenv("LINTEL_LOAD_POSTGRES_URL"), "PostgreSQL server URL; a fresh database is created on it (env LINTEL_LOAD_POSTGRES_URL)")
	fs.DurationVar(&o.duration, "duration", envDuration("DURATION", 10*time.Second), "wrk run per page and per no-op (env DURATION)")
	fs.IntVar(&o.connections, "connections", 64, "wrk connections")
	fs.IntVar(&o.threads, "threads", 2, "wrk threads")
	fs.IntVar(&o.rounds, "rounds", envInt("ROUNDS", 3), "rounds; the table shows each page's median (env ROUNDS)")
	fs.StringVar(&o.only, "pages", os.Getenv("PAGES"), "comma-separated page names to run (default: all)")
	fs.StringVar(&o.dir, "dir", "", "work folder (default: a new temporary folder)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work folder (database, logs) afterwards")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *engine {
	case "sqlite", "postgres":
		o.engines = []string{*engine}
	case "both":
		o.engines = []string{"sqlite", "postgres"}
	default:
		return fmt.Errorf("-engine %q: use sqlite, postgres or both", *engine)
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed: `apt-get install wrk` (make load does it)")
	}
	if o.dir == "" {
		d, err := os.MkdirTemp("", "lintel-load-")
		if err != nil {
			return err
		}
		o.dir = d
		if !o.keep {
			defer os.RemoveAll(d)
		}
	}
	bin := filepath.Join(o.dir, "lintel")
	fmt.Fprintln(stderr, "building lintel …")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/lintel")
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build lintel: %w", err)
	}
	noop, err := startNoop()
	if err != nil {
		return err
	}
	defer noop.Close()
	for _, engine := range o.engines {
		if err := runEngine(ctx, o, engine, bin, noop.URL, stdout, stderr); err != nil {
			return fmt.Errorf("%s: %w", engine, err)
		}
	}
	return nil
}

// runEngine generates the dataset on one engine, serves it and measures it.
func runEngine(ctx context.Context, o options, engine, bin, noopURL string, stdout, stderr io.Writer) error {
	dataDir := filepath.Join(o.dir, engine)
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return err
	}
	dbURL := ""
	if engine == "postgres" {
		if o.postgresURL == "" {
			return errors.New("no PostgreSQL: pass -postgres-url or LINTEL_LOAD_POSTGRES_URL (make load starts one)")
		}
		u, err := freshPostgres(ctx, o.postgresURL)
		if err != nil {
			return err
		}
		dbURL = u
	}
	start := time.Now()
	fmt.Fprintf(stderr, "%s: generating the dataset at scale %g …\n", engine, o.scale)
	set, counts, err := prepare(ctx, dbURL, dataDir, sqldb.LoadScale(o.scale))
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: dataset ready in %s: %s\n", engine, time.Since(start).Round(time.Second), countLine(counts))

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(dataDir, "serve.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	srvArgs := []string{"serve", "--addr", addr, "--data", dataDir}
	if dbURL != "" {
		srvArgs = append(srvArgs, "--database-url", dbURL)
	}
	srv := exec.CommandContext(ctx, bin, srvArgs...)
	srv.Stdout, srv.Stderr = logf, logf
	srv.Env = append(os.Environ(), "LINTEL_LOG_LEVEL=warn")
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() {
		_ = srv.Process.Signal(os.Interrupt)
		_ = srv.Wait()
	}()
	base := "http://" + addr
	if err := waitReady(ctx, base+"/readyz"); err != nil {
		return err
	}
	pages := set.pages(o.only)
	for _, p := range pages {
		if err := p.check(ctx, base); err != nil {
			return err
		}
	}
	results := map[string][]wrkResult{}
	noops := map[string][]wrkResult{}
	for round := 1; round <= o.rounds; round++ {
		for _, p := range pages {
			fmt.Fprintf(stderr, "%s: round %d/%d: %s\n", engine, round, o.rounds, p.name)
			n, err := wrk(ctx, o, noopURL, "")
			if err != nil {
				return err
			}
			r, err := wrk(ctx, o, base+p.path, p.cookie)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			noops[p.name] = append(noops[p.name], n)
			results[p.name] = append(results[p.name], r)
		}
	}
	fmt.Fprintf(stdout, "\n%s, scale %g (%s), wrk -t%d -c%d -d%s, median of %d rounds\n\n", engine, o.scale, countLine(counts),
		o.threads, o.connections, o.duration, o.rounds)
	printTable(stdout, pages, results, noops)
	return nil
}

func countLine(c map[string]int64) string {
	keys := []string{"units", "leases", "requests", "request_events", "visits", "ledger_postings"}
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), c[k]))
	}
	return strings.Join(parts, ", ")
}

// prepare writes the dataset and signs its people in; the sessions and the
// contractor link are made the way the server makes them.
func prepare(ctx context.Context, dbURL, dataDir string, scale sqldb.LoadScale) (pageSet, map[string]int64, error) {
	db, err := sqldb.Open(ctx, dbURL, dataDir, sqldb.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return pageSet{}, nil, err
	}
	defer db.Close()
	task, taskHash := auth.NewToken()
	ds, err := db.GenerateLoad(ctx, sqldb.LoadOptions{Scale: scale, Seed: 1, PasswordHash: auth.HashPassword(loadPassword), TaskTokenHash: taskHash})
	if err != nil {
		return pageSet{}, nil, err
	}
	set := pageSet{ds: ds, task: task}
	if err := set.signIn(ctx, db); err != nil {
		return pageSet{}, nil, err
	}
	return set, ds.Counts, nil
}

// signIn opens sessions for the dataset's manager, tenant and owner, the
// way the server opens them.
func (s *pageSet) signIn(ctx context.Context, db *sqldb.DB) error {
	long := sqldb.SessionLimits{Idle: 24 * time.Hour, Absolute: 48 * time.Hour}
	session := func(userID int64) (string, error) {
		raw, hash := auth.NewToken()
		return "__Host-lintel=" + raw, db.CreateSession(ctx, userID, hash, "127.0.0.1", "lintel-load", long, long)
	}
	var err error
	if s.manager, err = session(s.ds.ManagerUserID); err != nil {
		return err
	}
	if s.tenant, err = session(s.ds.TenantUserID); err != nil {
		return err
	}
	s.owner, err = session(s.ds.OwnerUserID)
	return err
}

// loadPassword signs in the dataset's manager, tenant and owner by hand
// when a run is kept (-keep) for a look in the browser.
const loadPassword = "load-test-password-1"

func printTable(w io.Writer, pages []page, results, noops map[string][]wrkResult) {
	fmt.Fprintln(w, "| page | req/s | % of no-op | p50 | p99 | target |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | --- |")
	for _, p := range pages {
		r, n := median(results[p.name]), median(noops[p.name])
		pct := 0.0
		if n.rps > 0 {
			pct = 100 * r.rps / n.rps
		}
		verdict := "met"
		if pct < p.target.pct || r.p99 > p.target.p99 || r.errors > 0 {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "| %s | %.0f | %.2f %% | %s | %s | ≥ %g %%, p99 ≤ %s: %s |\n", p.name, r.rps, pct, ms(r.p50), ms(r.p99),
			p.target.pct, ms(p.target.p99), verdict)
	}
}

func ms(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

// median is the round with the median rate (its latencies with it).
func median(rs []wrkResult) wrkResult {
	if len(rs) == 0 {
		return wrkResult{}
	}
	s := append([]wrkResult(nil), rs...)
	sort.Slice(s, func(i, j int) bool { return s[i].rps < s[j].rps })
	return s[len(s)/2]
}

func startNoop() (*noopServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return &noopServer{srv: srv, URL: "http://" + ln.Addr().String() + "/"}, nil
}

type noopServer struct {
	srv *http.Server
	URL string
}

func (n *noopServer) Close() { n.srv.Close() }

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitReady(ctx context.Context, url string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("lintel did not answer %s within a minute: see serve.log in the work folder (-keep)", url)
}
