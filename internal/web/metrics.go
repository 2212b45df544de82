package web

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// metrics are the server's Prometheus figures, on a registry of its own
// (tests start many servers in one process). Labels carry route patterns
// and states, never a path, a token, an e-mail or an id.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(db *sqldb.DB, version string) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lintel_http_requests_total", Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lintel_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "lintel_build_info", Help: "Which Lintel this is: always 1."}, []string{"version", "goversion"})
	build.WithLabelValues(version, runtime.Version()).Set(1)
	reg.MustRegister(m.requests, m.duration, build, storeCollector{db},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe wraps the router: it counts each request under the pattern the
// router matched (r.Pattern, set on the request it was given), "other"
// when none did.
func (m *metrics) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" || route == "/" {
			route = "other"
		}
		code := sw.status
		if code == 0 {
			code = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// handler serves the registry in Prometheus's text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// storeCollector reads the database's figures when scraped: the pools,
// and the outbox (a small indexed read).
type storeCollector struct{ db *sqldb.DB }

var (
	poolOpenDesc    = prometheus.NewDesc("lintel_db_connections_open", "Open database connections, by pool.", []string{"pool"}, nil)
	poolInUseDesc   = prometheus.NewDesc("lintel_db_connections_in_use", "Database connections in use, by pool.", []string{"pool"}, nil)
	poolWaitDesc    = prometheus.NewDesc("lintel_db_connection_waits_total", "Times a request waited for a database connection, by pool.", []string{"pool"}, nil)
	poolWaitSecDesc = prometheus.NewDesc("lintel_db_connection_wait_seconds_total", "Time spent waiting for a database connection, by pool.", []string{"pool"}, nil)
	outboxDesc      = prometheus.NewDesc("lintel_outbox_emails", "E-mails in the outbox, by state (sent ones are not counted).", []string{"state"}, nil)
	outboxOldDesc   = prometheus.NewDesc("lintel_outbox_oldest_queued_seconds", "How long the oldest e-mail still to send has waited; 0 when none waits.", nil, nil)
	scrapeErrDesc   = prometheus.NewDesc("lintel_metrics_store_up", "1 when the database answered the metrics' questions, 0 when not.", nil, nil)
)

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolOpenDesc, poolInUseDesc, poolWaitDesc, poolWaitSecDesc, outboxDesc, outboxOldDesc, scrapeErrDesc} {
		ch <- d
	}
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, st := range c.db.PoolStats() {
		ch <- prometheus.MustNewConstMetric(poolOpenDesc, prometheus.GaugeValue, float64(st.OpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(poolInUseDesc, prometheus.GaugeValue, float64(st.InUse), pool)
		ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, float64(st.WaitCount), pool)
		ch <- prometheus.MustNewConstMetric(poolWaitSecDesc, prometheus.CounterValue, st.WaitDuration.Seconds(), pool)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	f, err := c.db.OutboxMetrics(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, 1)
	for state, n := range f.ByState {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n), state)
	}
	age := 0.0
	if !f.OldestQueued.IsZero() {
		age = max(c.db.Now().Sub(f.OldestQueued).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(outboxOldDesc, prometheus.GaugeValue, age)
}

// serveMetrics answers /metrics on the main listener: for a visitor on
// this machine who came straight in (no proxy between: behind a proxy on
// the same machine everyone would look local) or a company administrator;
// anyone else gets "not found". --metrics-addr serves them on a private
// listener instead (MetricsHandler).
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	sess := sessionOf(r)
	admin := sess != nil && sess.Staff != nil && sess.Staff.Role == lintel.RoleAdmin
	direct := isLoopback(r) && r.Header.Get("X-Forwarded-For") == "" && r.Header.Get("Forwarded") == ""
	if !admin && !direct {
		return lintel.ErrNotFound
	}
	s.metrics.handler().ServeHTTP(w, r)
	return nil
}

// MetricsHandler serves /metrics to anyone who reaches it, for a private
// listener (--metrics-addr) that only the monitoring system can reach.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.handler())
	return mux
}
