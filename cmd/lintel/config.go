package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"lintel.dev/lintel/internal/web"
)

// config is everything the commands read from flags and the environment.
// Each flag has an environment variable; a flag given on the command line
// wins over the environment.
type config struct {
	Addr        string
	Data        string
	DatabaseURL string
	BaseURL     string
	SMTPHost    string
	SMTPPort    int
	SMTPUser    string
	SMTPPass    string
	SMTPFrom    string
	SMTPTLS     string // "starttls" (default), "tls" or "none"
	LogFormat   string
	LogLevel    string
	// TLSCert and TLSKey are the PEM certificate chain and key to serve
	// HTTPS with directly; empty serves plain HTTP (behind a proxy).
	TLSCert, TLSKey string
	// TLSDomains get certificates from the ACME CA at ACMEDirectory (the
	// account's contact ACMEEmail), answering its HTTP-01 challenges on
	// HTTPAddr, which also redirects every other request to HTTPS.
	TLSDomains                         []string
	ACMEDirectory, ACMEEmail, HTTPAddr string
	// MetricsAddr is a private listener serving /metrics to anyone who
	// reaches it; empty serves them only on the main listener (to this
	// machine and to administrators).
	MetricsAddr string
	// NodeName names this node on every log line (several nodes may log
	// to one place).
	NodeName string
	// ShutdownTimeout is how long a stop (SIGTERM) waits for requests in
	// flight before it cuts them.
	ShutdownTimeout time.Duration

	// Storage is where uploaded files go: "local" (a folder in the data
	// folder) or "s3" (a bucket on an S3-compatible server, for several
	// nodes).
	Storage     string
	S3Endpoint  string
	S3Bucket    string
	S3AccessKey string
	S3SecretKey string // from LINTEL_S3_SECRET_KEY only: never a flag, never logged
	S3Region    string
	S3TLS       bool
	S3Prefix    string

	// TrustedProxies are the reverse proxies (CIDR ranges or addresses)
	// whose forwarded headers name the client.
	TrustedProxies []netip.Prefix
	proxyFlagSeen  bool
	badEnv         error // an environment variable that could not be read
}

// addTrustedProxies reads a --trusted-proxy value (or several,
// comma-separated) into c.
func (c *config) addTrustedProxies(v string) error {
	got, err := web.ParseTrustedProxies(strings.Split(v, ","))
	if err != nil {
		return fmt.Errorf("%w: give a range such as 10.0.0.0/8 or an address such as 127.0.0.1", err)
	}
	c.TrustedProxies = append(c.TrustedProxies, got...)
	return nil
}

func (c *config) flags(name string, getenv func(string) string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("lintel "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	envBool := func(key string, def bool) bool {
		if v, err := strconv.ParseBool(getenv(key)); err == nil {
			return v
		}
		return def
	}
	envInt := func(key string, def int) int {
		if v, err := strconv.Atoi(getenv(key)); err == nil {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("LINTEL_ADDR", "localhost:8080"), "listen address (LINTEL_ADDR)")
	fs.StringVar(&c.Data, "data", env("LINTEL_DATA", "lintel-data"), "data folder: SQLite database and files (LINTEL_DATA)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("LINTEL_DATABASE_URL", ""), "database: empty for SQLite in the data folder, or postgres://… (LINTEL_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", env("LINTEL_BASE_URL", ""), "public URL used in links, e.g. https://lintel.example.com (LINTEL_BASE_URL; default http://<addr>)")
	fs.StringVar(&c.SMTPHost, "smtp-host", env("LINTEL_SMTP_HOST", ""), "SMTP server host; empty keeps mail in the dev mailbox (LINTEL_SMTP_HOST)")
	fs.IntVar(&c.SMTPPort, "smtp-port", envInt("LINTEL_SMTP_PORT", 587), "SMTP server port (LINTEL_SMTP_PORT)")
	fs.StringVar(&c.SMTPUser, "smtp-user", env("LINTEL_SMTP_USER", ""), "SMTP user name (LINTEL_SMTP_USER)")
	fs.StringVar(&c.SMTPPass, "smtp-password", env("LINTEL_SMTP_PASSWORD", ""), "SMTP password (LINTEL_SMTP_PASSWORD)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", env("LINTEL_SMTP_FROM", "Lintel <no-reply@localhost>"), "From address of e-mails (LINTEL_SMTP_FROM)")
	fs.StringVar(&c.SMTPTLS, "smtp-tls", env("LINTEL_SMTP_TLS", "starttls"), "SMTP transport security: starttls, tls or none (LINTEL_SMTP_TLS)")
	fs.StringVar(&c.LogFormat, "log-format", env("LINTEL_LOG_FORMAT", "text"), "log format: text or json (LINTEL_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("LINTEL_LOG_LEVEL", "info"), "log level: debug, info, warn, error (LINTEL_LOG_LEVEL)")
	fs.StringVar(&c.TLSCert, "tls-cert", env("LINTEL_TLS_CERT", ""), "serve HTTPS with this PEM certificate chain, read again when it changes (LINTEL_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", env("LINTEL_TLS_KEY", ""), "the private key of --tls-cert, PEM (LINTEL_TLS_KEY)")
	if v := getenv("LINTEL_TLS_DOMAIN"); v != "" {
		for d := range strings.SplitSeq(v, ",") {
			if d = strings.TrimSpace(d); d != "" {
				c.TLSDomains = append(c.TLSDomains, strings.ToLower(d))
			}
		}
	}
	domainFlagSeen := false
	fs.Func("tls-domain", "serve HTTPS for this domain with certificates from an ACME CA (Let's Encrypt by default); repeatable (LINTEL_TLS_DOMAIN, comma-separated)", func(v string) error {
		if !domainFlagSeen {
			c.TLSDomains, domainFlagSeen = nil, true
		}
		v = strings.ToLower(strings.TrimSpace(v))
		if v == "" || strings.ContainsAny(v, "/: ") {
			return fmt.Errorf("%q is not a domain name: give one such as lintel.example.com", v)
		}
		c.TLSDomains = append(c.TLSDomains, v)
		return nil
	})
	fs.StringVar(&c.ACMEDirectory, "acme-directory", env("LINTEL_ACME_DIRECTORY", letsEncrypt), "the ACME CA's directory URL, for --tls-domain (LINTEL_ACME_DIRECTORY)")
	fs.StringVar(&c.ACMEEmail, "acme-email", env("LINTEL_ACME_EMAIL", ""), "contact e-mail for the ACME account, told about expiring certificates (LINTEL_ACME_EMAIL)")
	fs.StringVar(&c.HTTPAddr, "http-addr", env("LINTEL_HTTP_ADDR", ":80"), "with --tls-domain: where the CA's HTTP-01 challenges are answered and plain HTTP is redirected to HTTPS (LINTEL_HTTP_ADDR)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("LINTEL_METRICS_ADDR", ""), "a private address serving /metrics (Prometheus) to anyone who reaches it, e.g. 10.0.0.5:9100; keep it off the internet (LINTEL_METRICS_ADDR)")
	host, _ := os.Hostname()
	fs.StringVar(&c.NodeName, "node-name", env("LINTEL_NODE_NAME", host), "this node's name on every log line, to tell nodes apart (LINTEL_NODE_NAME; default the host name)")
	shutdown := 30 * time.Second
	if v := getenv("LINTEL_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			c.badEnv = fmt.Errorf("LINTEL_SHUTDOWN_TIMEOUT %q: give a duration such as 30s or 2m", v)
		}
		shutdown = d
	}
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", shutdown, "on SIGTERM, how long requests in flight (uploads) may take to finish before they are cut (LINTEL_SHUTDOWN_TIMEOUT)")
	fs.StringVar(&c.Storage, "storage", env("LINTEL_STORAGE", "local"), "where uploaded files go: local (the data folder) or s3 (LINTEL_STORAGE)")
	fs.StringVar(&c.S3Endpoint, "s3-endpoint", env("LINTEL_S3_ENDPOINT", ""), "S3 server host[:port], without https:// (LINTEL_S3_ENDPOINT)")
	fs.StringVar(&c.S3Bucket, "s3-bucket", env("LINTEL_S3_BUCKET", ""), "S3 bucket for uploaded files; it must exist (LINTEL_S3_BUCKET)")
	fs.StringVar(&c.S3AccessKey, "s3-access-key", env("LINTEL_S3_ACCESS_KEY", ""), "S3 access key id; the secret key is read from LINTEL_S3_SECRET_KEY only (LINTEL_S3_ACCESS_KEY)")
	fs.StringVar(&c.S3Region, "s3-region", env("LINTEL_S3_REGION", ""), "S3 region; empty asks the server (LINTEL_S3_REGION)")
	fs.BoolVar(&c.S3TLS, "s3-tls", envBool("LINTEL_S3_TLS", true), "talk HTTPS to the S3 server; false only on a trusted network (LINTEL_S3_TLS)")
	fs.StringVar(&c.S3Prefix, "s3-prefix", env("LINTEL_S3_PREFIX", ""), "optional key prefix inside the bucket, e.g. lintel (LINTEL_S3_PREFIX)")
	// LINTEL_TRUSTED_PROXY (comma-separated) is replaced, not extended, by
	// flags given on the command line.
	if v := getenv("LINTEL_TRUSTED_PROXY"); v != "" {
		if err := c.addTrustedProxies(v); err != nil {
			c.badEnv = fmt.Errorf("LINTEL_TRUSTED_PROXY: %w", err)
		}
	}
	fs.Func("trusted-proxy", "a reverse proxy (CIDR range or address) whose Forwarded / X-Forwarded-For headers name the client; repeatable; none by default (LINTEL_TRUSTED_PROXY, comma-separated)",
		func(v string) error {
			if !c.proxyFlagSeen {
				c.TrustedProxies, c.proxyFlagSeen, c.badEnv = nil, true, nil
			}
			return c.addTrustedProxies(v)
		})
	// A secret on the command line is visible to every user of the machine
	// (ps, /proc), so it has no flag.
	c.S3SecretKey = getenv("LINTEL_S3_SECRET_KEY")
	return fs
}

// baseURL returns the configured public URL, or one derived from the
// listen address.
func (c *config) baseURL() (*url.URL, error) {
	raw := c.BaseURL
	if raw == "" {
		host := c.Addr
		if strings.HasPrefix(host, ":") {
			host = "localhost" + host
		}
		scheme := "http://"
		if c.TLSCert != "" {
			scheme = "https://"
		}
		if len(c.TLSDomains) > 0 {
			scheme, host = "https://", c.TLSDomains[0]
			if _, port, err := net.SplitHostPort(c.Addr); err == nil && port != "443" {
				host = net.JoinHostPort(host, port)
			}
		}
		raw = scheme + host
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--base-url %q: use a full URL such as https://lintel.example.com", raw)
	}
	return u, nil
}

// check refuses settings that would otherwise be taken silently: an
// unknown log format or level, an environment variable that did not read.
func (c *config) check() error {
	if c.badEnv != nil {
		return c.badEnv
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format %q: use text or json (LINTEL_LOG_FORMAT)", c.LogFormat)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error (LINTEL_LOG_LEVEL)", c.LogLevel)
	}
	if len(c.TLSDomains) > 0 && c.TLSCert != "" {
		return fmt.Errorf("--tls-domain gets certificates from an ACME CA; --tls-cert serves your own: choose one")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither (LINTEL_TLS_CERT, LINTEL_TLS_KEY)")
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("--shutdown-timeout %v: give a positive duration such as 30s or 2m (LINTEL_SHUTDOWN_TIMEOUT)", c.ShutdownTimeout)
	}
	return nil
}

func (c *config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	log := slog.New(h)
	if c.NodeName != "" {
		log = log.With("node", c.NodeName)
	}
	return log
}
