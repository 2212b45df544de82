package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// syncBuffer is a bytes.Buffer that run's goroutines and the test can use
// at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envOf makes a getenv from a map: the test's own environment never leaks in.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var servingRE = regexp.MustCompile(`Lintel is serving on (\S+)`)

// server is a `lintel serve` running inside the test.
type server struct {
	url    string
	cancel context.CancelFunc // what SIGTERM does
	errc   chan error
	stderr *syncBuffer
}

// startServe runs `lintel serve args...` and waits for the line that
// announces its URL.
func startServe(t *testing.T, args []string, env map[string]string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := new(syncBuffer), new(syncBuffer)
	s := &server{cancel: cancel, errc: make(chan error, 1), stderr: stderr}
	go func() { s.errc <- run(ctx, append([]string{"serve"}, args...), envOf(env), stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.errc:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30s of its context ending")
		}
		if t.Failed() {
			t.Logf("serve's log:\n%s", stderr.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := servingRE.FindStringSubmatch(stdout.String()); m != nil {
			s.url = m[1]
			return s
		}
		select {
		case err := <-s.errc:
			s.errc <- err // for Cleanup
			t.Fatalf("serve returned before serving: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not print its URL within 30s\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop cancels the server's context and returns run's error; it fails the
// test when run takes longer than wait.
func (s *server) stop(t *testing.T, wait time.Duration) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.errc:
		s.errc <- err // for Cleanup
		return err
	case <-time.After(wait):
		t.Fatalf("serve did not return within %v of its context ending", wait)
		return nil
	}
}

func getStatus(t *testing.T, u string) int {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	res, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// engines are the two databases, each as what --database-url takes.
var engines = []struct {
	name string
	url  func(testing.TB) string
}{
	{"sqlite", testkit.SQLiteURL},
	{"postgres", testkit.PostgresURL},
}

func TestServeHealthAndGracefulShutdown(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			s := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", e.url(t)}, nil)
			u, err := url.Parse(s.url)
			if err != nil || u.Scheme != "http" || !strings.HasPrefix(u.Host, "127.0.0.1:") || u.Port() == "0" {
				t.Fatalf("serve announced %q, want http://127.0.0.1:<port>", s.url)
			}
			for _, path := range []string{"/healthz", "/readyz"} {
				if code := getStatus(t, s.url+path); code != http.StatusOK {
					t.Errorf("GET %s = %d, want 200", path, code)
				}
			}
			// A request in flight when the signal comes is finished, not cut:
			// send a sign-in form with half its body (the handler is then
			// waiting to read the rest), stop the server, send the rest.
			conn, err := net.Dial("tcp", u.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			body := "email=nobody%40example.test&password=not-the-password"
			head := "POST /login HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
				"Content-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n"
			if _, err := io.WriteString(conn, head+body[:10]); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // let the handler start
			s.cancel()
			select {
			case err := <-s.errc:
				t.Fatalf("serve returned (%v) while a request was in flight", err)
			case <-time.After(300 * time.Millisecond):
			}
			if _, err := io.WriteString(conn, body[10:]); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("the request in flight got no answer: %v", err)
			}
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Errorf("the answer to the request in flight was cut: %v", err)
			}
			if res.StatusCode >= 500 {
				t.Errorf("the request in flight got %d", res.StatusCode)
			}
			start := time.Now()
			if err := s.stop(t, 5*time.Second); err != nil {
				t.Fatalf("serve returned %v after its context ended, want nil (a clean shutdown)", err)
			}
			t.Logf("shut down %v after the last request", time.Since(start))
			if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
				c.Close()
				t.Errorf("%s still accepts connections after serve returned", u.Host)
			}
		})
	}
}

// TestSIGTERM runs the real binary: main must turn SIGTERM into a clean exit
// (status 0), which is how a service manager or Kubernetes stops Lintel.
func TestSIGTERM(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "lintel")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "LINTEL_ADDR=127.0.0.1:0", "LINTEL_DATA="+filepath.Join(dir, "data"), "LINTEL_DATABASE_URL=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := new(syncBuffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	exited := make(chan struct{}) // closed when the process has been waited for
	var exitErr error
	go func() {
		defer close(exited)
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if m := servingRE.FindStringSubmatch(lines.Text()); m != nil {
				select {
				case urlc <- m[1]:
				default:
				}
			}
		}
		// Read to EOF before Wait, as StdoutPipe requires.
		io.Copy(io.Discard, stdout)
		exitErr = cmd.Wait()
	}()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	})

	var base string
	select {
	case base = <-urlc:
	case <-exited:
		t.Fatalf("lintel serve exited before serving: %v\n%s", exitErr, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("lintel serve did not announce its URL within 30s\n%s", stderr.String())
	}
	if code := getStatus(t, base+"/healthz"); code != http.StatusOK {
		t.Fatalf("GET /healthz = %d", code)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if exitErr != nil {
			t.Fatalf("after SIGTERM lintel exited with %v, want status 0\n%s", exitErr, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("lintel did not exit within 10s of SIGTERM\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("the log does not say it stopped:\n%s", stderr.String())
	}
}

func TestMigrate(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			u := e.url(t)
			// Twice: the second run finds nothing to do and still succeeds.
			for range 2 {
				var stdout, stderr bytes.Buffer
				err := run(t.Context(), []string{"migrate", "--database-url", u, "--data", t.TempDir()}, envOf(nil), &stdout, &stderr)
				if err != nil {
					t.Fatalf("migrate: %v\n%s", err, stderr.String())
				}
				if want := "database is up to date (" + e.name + ")"; !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout = %q, want it to contain %q", stdout.String(), want)
				}
			}
		})
	}
}

// TestMigrateDataFolder checks the default database: SQLite in --data.
func TestMigrateDataFolder(t *testing.T) {
	data := filepath.Join(t.TempDir(), "new-folder")
	if err := run(t.Context(), []string{"migrate"}, envOf(map[string]string{"LINTEL_DATA": data}), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, "lintel.db")); err != nil {
		t.Errorf("no database in the data folder: %v", err)
	}
}

func TestUserCreate(t *testing.T) {
	const goodPassword = "correct horse battery"
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			dbURL := e.url(t)
			tests := []struct {
				name     string
				args     []string
				password string
				wantErr  string // empty: success
			}{
				{"ok", []string{"--company", "Harbour Homes", "--email", "Ana@Example.test", "--name", "Ana Admin", "--currency", "EUR"}, goodPassword, ""},
				{"short password", []string{"--company", "X", "--email", "x@example.test"}, "short", "password: use at least"},
				{"common password", []string{"--company", "X", "--email", "x@example.test"}, "password1234", "too common"},
				{"no company", []string{"--email", "x@example.test"}, goodPassword, "--company is required"},
				{"bad e-mail", []string{"--company", "X", "--email", "not-an-address"}, goodPassword, "is not an e-mail address"},
				{"bad currency", []string{"--company", "X", "--email", "x@example.test", "--currency", "EURO"}, goodPassword, "ISO 4217"},
				{"no subcommand", nil, goodPassword, "usage: lintel user create"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					args := []string{"user"}
					if tt.args != nil {
						args = append(args, "create", "--database-url", dbURL)
						args = append(args, tt.args...)
					}
					var stdout, stderr bytes.Buffer
					err := run(t.Context(), args, envOf(map[string]string{"LINTEL_PASSWORD": tt.password}), &stdout, &stderr)
					if tt.wantErr != "" {
						if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
							t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
						}
						return
					}
					if err != nil {
						t.Fatalf("user create: %v\n%s", err, stderr.String())
					}
					if !strings.Contains(stdout.String(), "created company") {
						t.Errorf("stdout = %q", stdout.String())
					}
					checkAdmin(t, dbURL, "ana@example.test", "Ana Admin", "Harbour Homes")
				})
			}
			// Refused attempts wrote nothing.
			db := openDB(t, dbURL)
			if _, err := db.UserByEmail(t.Context(), "x@example.test"); !errors.Is(err, lintel.ErrNotFound) {
				t.Errorf("a refused user create left user x@example.test behind (err %v)", err)
			}
		})
	}
}

func openDB(t *testing.T, dbURL string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(t.Context(), dbURL, "", sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func checkAdmin(t *testing.T, dbURL, email, name, company string) {
	t.Helper()
	db := openDB(t, dbURL)
	u, err := db.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatalf("the new administrator %s is not in the database: %v", email, err)
	}
	if u.Name != name || u.PasswordHash == "" || strings.Contains(u.PasswordHash, "correct horse") {
		t.Errorf("user = %+v, want name %q and a password hash", u, name)
	}
	ms, err := db.Memberships(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].CompanyName != company || ms[0].Role != lintel.RoleAdmin {
		t.Errorf("memberships = %+v, want admin of %q", ms, company)
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantErr    string // empty: success
		wantStdout string
		wantStderr string
	}{
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`, "", "Usage:"},
		{"no command", nil, "no command given", "", "Usage:"},
		{"help", []string{"help"}, "", "lintel serve", ""},
		{"unknown flag", []string{"migrate", "--no-such-flag"}, "flag provided but not defined", "", "-database-url"},
		{"bad base URL", []string{"serve", "--addr", "127.0.0.1:0", "--base-url", "lintel.example.com"}, "use a full URL", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), tt.args, envOf(map[string]string{"LINTEL_DATA": t.TempDir()}), &stdout, &stderr)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v, want success", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestConfigFlagsAndEnv(t *testing.T) {
	host, _ := os.Hostname()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want config
	}{
		{
			name: "defaults",
			want: config{Addr: "localhost:8080", Data: "lintel-data", SMTPPort: 587, SMTPFrom: "Lintel <no-reply@localhost>", SMTPTLS: "starttls", LogFormat: "text", LogLevel: "info", NodeName: host, ShutdownTimeout: 30 * time.Second, ACMEDirectory: letsEncrypt, HTTPAddr: ":80", Storage: "local", S3TLS: true},
		},
		{
			name: "environment",
			env: map[string]string{
				"LINTEL_ADDR": ":9000", "LINTEL_DATA": "/var/lib/lintel", "LINTEL_DATABASE_URL": "postgres://db/lintel",
				"LINTEL_BASE_URL": "https://lintel.example.com", "LINTEL_SMTP_HOST": "mail.example.com",
				"LINTEL_SMTP_PORT": "2525", "LINTEL_SMTP_USER": "u", "LINTEL_SMTP_PASSWORD": "p",
				"LINTEL_SMTP_FROM": "Rent <rent@example.com>", "LINTEL_SMTP_TLS": "tls",
				"LINTEL_LOG_FORMAT": "json", "LINTEL_LOG_LEVEL": "debug",
				"LINTEL_STORAGE": "s3", "LINTEL_S3_ENDPOINT": "s3.example.com", "LINTEL_S3_BUCKET": "files",
				"LINTEL_S3_ACCESS_KEY": "ak", "LINTEL_S3_SECRET_KEY": "sk", "LINTEL_S3_REGION": "eu-west-3",
				"LINTEL_S3_TLS": "false", "LINTEL_S3_PREFIX": "lintel/",
				"LINTEL_NODE_NAME": "web-1", "LINTEL_SHUTDOWN_TIMEOUT": "2m",
			},
			want: config{Addr: ":9000", Data: "/var/lib/lintel", DatabaseURL: "postgres://db/lintel",
				BaseURL: "https://lintel.example.com", SMTPHost: "mail.example.com", SMTPPort: 2525,
				SMTPUser: "u", SMTPPass: "p", SMTPFrom: "Rent <rent@example.com>", SMTPTLS: "tls",
				LogFormat: "json", LogLevel: "debug", NodeName: "web-1", ShutdownTimeout: 2 * time.Minute, ACMEDirectory: letsEncrypt, HTTPAddr: ":80", Storage: "s3", S3Endpoint: "s3.example.com", S3Bucket: "files",
				S3AccessKey: "ak", S3SecretKey: "sk", S3Region: "eu-west-3", S3TLS: false, S3Prefix: "lintel/"},
		},
		{
			name: "flags win over the environment",
			env:  map[string]string{"LINTEL_ADDR": ":9000", "LINTEL_SMTP_PORT": "2525", "LINTEL_LOG_LEVEL": "debug", "LINTEL_DATA": "/env", "LINTEL_NODE_NAME": "env", "LINTEL_SHUTDOWN_TIMEOUT": "1m"},
			args: []string{"--addr", "127.0.0.1:7000", "--smtp-port", "465", "--log-level", "warn", "-data", "/flag", "--node-name", "flag", "--shutdown-timeout", "5s"},
			want: config{Addr: "127.0.0.1:7000", Data: "/flag", SMTPPort: 465, SMTPFrom: "Lintel <no-reply@localhost>", SMTPTLS: "starttls", LogFormat: "text", LogLevel: "warn", NodeName: "flag", ShutdownTimeout: 5 * time.Second, ACMEDirectory: letsEncrypt, HTTPAddr: ":80", Storage: "local", S3TLS: true},
		},
		{
			name: "a port that is not a number falls back to the default",
			env:  map[string]string{"LINTEL_SMTP_PORT": "submission"},
			want: config{Addr: "localhost:8080", Data: "lintel-data", SMTPPort: 587, SMTPFrom: "Lintel <no-reply@localhost>", SMTPTLS: "starttls", LogFormat: "text", LogLevel: "info", NodeName: host, ShutdownTimeout: 30 * time.Second, ACMEDirectory: letsEncrypt, HTTPAddr: ":80", Storage: "local", S3TLS: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c config
			if err := c.flags("serve", envOf(tt.env), io.Discard).Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c, tt.want) {
				t.Errorf("config =\n%+v\nwant\n%+v", c, tt.want)
			}
		})
	}
}

func TestTrustedProxyFlag(t *testing.T) {
	p := func(s ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, x := range s {
			out = append(out, netip.MustParsePrefix(x))
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		env     string
		args    []string
		want    []netip.Prefix
		wantErr string
	}{
		{name: "none by default"},
		{name: "from the environment", env: "10.0.0.0/8, 127.0.0.1", want: p("10.0.0.0/8", "127.0.0.1/32")},
		{name: "repeatable flags replace the environment", env: "10.0.0.0/8",
			args: []string{"--trusted-proxy", "192.168.1.0/24", "--trusted-proxy", "::1"}, want: p("192.168.1.0/24", "::1/128")},
		{name: "a range is masked", args: []string{"--trusted-proxy", "172.16.5.9/12"}, want: p("172.16.0.0/12")},
		{name: "not an address", args: []string{"--trusted-proxy", "nginx"}, wantErr: "10.0.0.0/8"},
		{name: "not an address in the environment", env: "nginx", wantErr: "LINTEL_TRUSTED_PROXY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c config
			err := c.flags("serve", envOf(map[string]string{"LINTEL_TRUSTED_PROXY": tt.env}), io.Discard).Parse(tt.args)
			if err == nil {
				err = c.badEnv
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.TrustedProxies, tt.want) {
				t.Errorf("trusted proxies %v, want %v", c.TrustedProxies, tt.want)
			}
		})
	}
}

// TestServeHonoursEnvAndFlags checks the same through a running server.
func TestServeHonoursEnvAndFlags(t *testing.T) {
	t.Run("environment", func(t *testing.T) {
		data := t.TempDir()
		s := startServe(t, nil, map[string]string{"LINTEL_ADDR": "127.0.0.1:0", "LINTEL_DATA": data})
		if !strings.HasPrefix(s.url, "http://127.0.0.1:") {
			t.Errorf("serving on %s, want LINTEL_ADDR's 127.0.0.1", s.url)
		}
		if _, err := os.Stat(filepath.Join(data, "lintel.db")); err != nil {
			t.Errorf("LINTEL_DATA ignored: %v", err)
		}
	})
	t.Run("flags win", func(t *testing.T) {
		data := t.TempDir()
		env := map[string]string{"LINTEL_ADDR": "256.0.0.1:1", "LINTEL_DATA": filepath.Join(data, "from-env"), "LINTEL_BASE_URL": "not a url"}
		s := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", data, "--base-url", "https://lintel.example.com"}, env)
		if s.url != "https://lintel.example.com" {
			t.Errorf("announced %s, want the --base-url", s.url)
		}
		if _, err := os.Stat(filepath.Join(data, "lintel.db")); err != nil {
			t.Errorf("--data ignored: %v", err)
		}
		if _, err := os.Stat(filepath.Join(data, "from-env")); err == nil {
			t.Error("LINTEL_DATA used although --data was given")
		}
	})
}

func TestUserSecondFactorOff(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			dbURL := e.url(t)
			var stdout, stderr bytes.Buffer
			env := envOf(map[string]string{"LINTEL_PASSWORD": "correct horse battery"})
			if err := run(t.Context(), []string{"user", "create", "--database-url", dbURL, "--company", "Harbour Homes", "--email", "ana@example.test"}, env, &stdout, &stderr); err != nil {
				t.Fatalf("user create: %v\n%s", err, stderr.String())
			}
			db := openDB(t, dbURL)
			u, err := db.UserByEmail(t.Context(), "ana@example.test")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.BeginSecondFactor(t.Context(), u.ID, "JBSWY3DPEHPK3PXP"); err != nil {
				t.Fatal(err)
			}
			if err := db.ConfirmSecondFactor(t.Context(), u.ID, "JBSWY3DPEHPK3PXP", 1, []string{"h1", "h2"}, u.Email); err != nil {
				t.Fatal(err)
			}
			offArgs := []string{"user", "second-factor-off", "--database-url", dbURL, "--email", "Ana@Example.test"}
			if err := run(t.Context(), offArgs, env, &stdout, &stderr); err != nil {
				t.Fatalf("second-factor-off: %v\n%s", err, stderr.String())
			}
			if !strings.Contains(stdout.String(), "turned off the second factor of ana@example.test") {
				t.Errorf("stdout = %q", stdout.String())
			}
			sf, err := db.SecondFactor(t.Context(), u.ID)
			if err != nil || sf.On || sf.RecoveryLeft != 0 {
				t.Fatalf("after the command: %+v, %v", sf, err)
			}
			if err := run(t.Context(), offArgs, env, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "has no second factor") {
				t.Fatalf("again: %v, want a clear 'nothing to turn off'", err)
			}
			if err := run(t.Context(), []string{"user", "second-factor-off", "--database-url", dbURL}, env, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "--email is required") {
				t.Fatalf("without --email: %v", err)
			}
		})
	}
}

func TestUnknownLogSettingsAreRefused(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"log format flag", nil, []string{"--log-format", "xml"}, "--log-format \"xml\": use text or json"},
		{"log level from the environment", map[string]string{"LINTEL_LOG_LEVEL": "verbose"}, nil, "--log-level \"verbose\""},
		{"proxy from the environment", map[string]string{"LINTEL_TRUSTED_PROXY": "proxy.local"}, nil, "LINTEL_TRUSTED_PROXY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, cmd := range []string{"serve", "migrate"} {
				args := append([]string{cmd, "--data", t.TempDir()}, tt.args...)
				err := run(t.Context(), args, envOf(tt.env), io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("lintel %s: %v, want an error containing %q", cmd, err, tt.wantErr)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(t.Context(), []string{"version"}, envOf(nil), &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	// A test binary has no VCS stamp: it says so, and names the Go release.
	if !strings.HasPrefix(out, "lintel ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("lintel version printed %q, want a version and %s", out, runtime.Version())
	}
}

// TestShutdownTimeoutCutsSlowRequests: a request still running when
// --shutdown-timeout runs out (an upload whose body stops coming) is cut,
// the server says how many it cut, and the stop is still a clean one
// (run returns nil, so the process exits 0).
func TestShutdownTimeoutCutsSlowRequests(t *testing.T) {
	s := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", testkit.SQLiteURL(t),
		"--shutdown-timeout", "300ms", "--log-format", "json"}, nil)
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST /login HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"Content-Length: 100000\r\n\r\nemail=slow"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the handler start
	start := time.Now()
	if err := s.stop(t, 5*time.Second); err != nil {
		t.Fatalf("serve returned %v after cutting a slow request, want nil (a requested stop)", err)
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("serve stopped %v after the signal, before its 300ms shutdown timeout", took)
	}
	var cut map[string]any
	for line := range strings.SplitSeq(s.stderr.String(), "\n") {
		if strings.Contains(line, "shutdown timeout reached") {
			if err := json.Unmarshal([]byte(line), &cut); err != nil {
				t.Fatalf("the shutdown line is not in the configured (JSON) format: %q", line)
			}
		}
	}
	if cut == nil || cut["cut"] != float64(1) || cut["shutdown_timeout"] != "300ms" {
		t.Fatalf("no log line saying one request was cut (got %v); log:\n%s", cut, s.stderr.String())
	}
}

func TestShutdownTimeoutSettings(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"--shutdown-timeout", "0s"}, want: "--shutdown-timeout 0s"},
		{env: map[string]string{"LINTEL_SHUTDOWN_TIMEOUT": "soon"}, want: `LINTEL_SHUTDOWN_TIMEOUT "soon"`},
	} {
		err := run(context.Background(), append([]string{"serve", "--data", t.TempDir()}, tt.args...), envOf(tt.env), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("serve %v with %v: %v, want an error about %s", tt.args, tt.env, err, tt.want)
		}
	}
}

// TestNodeNameOnEveryLogLine: with several nodes logging to one place,
// every line says which node wrote it: --node-name, or the host name.
func TestNodeNameOnEveryLogLine(t *testing.T) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		t.Fatalf("no host name to default to: %v", err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--node-name", "web-2"}, "web-2"},
		{nil, host},
	} {
		s := startServe(t, append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", testkit.SQLiteURL(t), "--log-format", "json"}, tt.args...), nil)
		getStatus(t, s.url+"/no-such-page")
		if err := s.stop(t, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		lines := 0
		for line := range strings.SplitSeq(strings.TrimSpace(s.stderr.String()), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			if rec["node"] != tt.want {
				t.Errorf("log line without node %q: %s", tt.want, line)
			}
			lines++
		}
		if lines < 3 {
			t.Errorf("only %d log lines:\n%s", lines, s.stderr.String())
		}
	}
}
