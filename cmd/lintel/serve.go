package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/web"
)

// cmdServe runs the web server (and, for "demo", seeds the demo first)
// until ctx is cancelled (SIGINT/SIGTERM), then shuts down gracefully.
func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, demo bool) error {
	var c config
	name := "serve"
	if demo {
		name = "demo"
	}
	if err := c.flags(name, getenv, stderr).Parse(args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	log := c.logger(stderr)
	if getenv("GOGC") == "" {
		// The server's live heap is small (tens of MB) while each page
		// allocates its rendering afresh: collecting at five times the
		// live heap rather than twice spends tens of MB to take most of
		// the collector's CPU off every request. GOGC, when set, is the
		// operator's choice.
		debug.SetGCPercent(400)
	}
	base, err := c.baseURL()
	if err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, c.DatabaseURL, c.Data, sqldb.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	// A file store that cannot be reached stops the start before the port
	// is taken.
	files, closeFiles, err := openFiles(ctx, &c, log)
	if err != nil {
		return err
	}
	defer closeFiles()

	var certs *certReloader
	if c.TLSCert != "" {
		// A certificate that does not load stops the start, before the port.
		if certs, err = newCertReloader(c.TLSCert, c.TLSKey, log); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another Lintel running? choose another with --addr)", c.Addr, err)
	}
	if certs != nil {
		ln = tls.NewListener(ln, tlsConfig(certs.GetCertificate))
	}
	var challenges *http.Server
	if len(c.TLSDomains) > 0 {
		m := acmeManager(&c, db, log)
		ln = tls.NewListener(ln, acmeTLSConfig(m))
		// The CA checks each domain over plain HTTP on port 80; every
		// other plain-HTTP request is sent to HTTPS.
		hln, err := net.Listen("tcp", c.HTTPAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s for the ACME CA's HTTP-01 challenges: %w (the CA connects to port 80; choose the address with --http-addr)", c.HTTPAddr, err)
		}
		challenges = &http.Server{Handler: m.HTTPHandler(nil), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		go func() {
			if err := challenges.Serve(hln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("the HTTP-01 listener stopped", "err", err)
			}
		}()
		defer challenges.Close()
	}
	if c.BaseURL == "" {
		// With --addr :0 the port is only known now.
		base.Host = ln.Addr().String()
		tcp, ok := ln.Addr().(*net.TCPAddr)
		switch {
		case ok && len(c.TLSDomains) > 0 && tcp.Port == 443:
			base.Host = c.TLSDomains[0]
		case ok && len(c.TLSDomains) > 0:
			base.Host = net.JoinHostPort(c.TLSDomains[0], strconv.Itoa(tcp.Port))
		case ok && tcp.IP.IsUnspecified():
			base.Host = fmt.Sprintf("localhost:%d", tcp.Port)
		}
	}

	// Bad SMTP settings stop the start, with the reason, rather than
	// leaving mail silently undelivered.
	sender, err := mailSender(&c, base, log)
	if err != nil {
		return fmt.Errorf("SMTP settings: %w", err)
	}
	devMailbox := c.SMTPHost == ""
	if devMailbox {
		log.Warn("no SMTP server configured: e-mails are kept in the dev mailbox at /dev/mailbox (shown to admins and loopback visitors only; it shows every message's links)")
	}
	if len(c.TrustedProxies) > 0 {
		log.Info("forwarded headers believed from trusted proxies", "trusted_proxies", c.TrustedProxies)
	}
	plain := certs == nil && challenges == nil && web.PlainHTTPOutside(base)
	if plain {
		log.Warn("signing in needs HTTPS: browsers reach "+base.String()+" over plain HTTP and refuse its sign-in cookie, so every log-in will fail; "+
			"serve HTTPS with --tls-cert and --tls-key, or put a proxy that provides it in front (see the README) and set --base-url to the https:// address",
			"base_url", base.String())
	}
	srv, err := web.New(web.Config{BaseURL: base, DevMailbox: devMailbox, Files: files, TrustedProxies: c.TrustedProxies, Version: buildVersion()}, db, log)
	if err != nil {
		return err
	}
	if demo {
		if err := seedDemo(ctx, db, base, stdout); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		if err := seedDemoDocuments(ctx, db, files); err != nil {
			return fmt.Errorf("seed demo documents: %w", err)
		}
		if err := seedDemoBilling(ctx, db); err != nil {
			return fmt.Errorf("seed demo billing: %w", err)
		}
	}

	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	done := startWorkers(workers, sender, db, files, base, log)

	if c.MetricsAddr != "" {
		mln, err := net.Listen("tcp", c.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen on %s for /metrics: %w (choose another with --metrics-addr)", c.MetricsAddr, err)
		}
		ms := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		go func() {
			if err := ms.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("the metrics listener stopped", "err", err)
			}
		}()
		defer ms.Close()
		log.Info("metrics served", "metrics_addr", mln.Addr().String())
		fmt.Fprintf(stdout, "Metrics on http://%s/metrics\n", mln.Addr())
	}
	hs := srv.HTTPServer(c.Addr)
	// Requests in flight, for the shutdown's account of what it cut.
	var inFlight atomic.Int64
	handler := hs.Handler
	hs.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		handler.ServeHTTP(w, r)
	})
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("Lintel is serving", "url", base.String(), "database", string(db.Dialect()), "version", buildVersion())
	fmt.Fprintf(stdout, "Lintel is serving on %s\n", base)

	select {
	case err := <-errc:
		stopWorkers()
		<-done
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "in_flight", inFlight.Load(), "shutdown_timeout", c.ShutdownTimeout.String())
	shutCtx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	err = hs.Shutdown(shutCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		// A stop was asked for: past the timeout the requests still
		// running (a slow upload) are cut, and the stop is still a stop.
		cut := inFlight.Load()
		err = hs.Close()
		log.Warn("shutdown timeout reached: requests still in flight were cut; raise --shutdown-timeout to let them finish",
			"cut", cut, "shutdown_timeout", c.ShutdownTimeout.String())
	}
	stopWorkers()
	<-done
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
