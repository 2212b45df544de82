package testkit

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"lintel.dev/lintel/internal/blob"
)

// VersitygwEnv names the environment variable with the path of the
// versitygw binary that S3 runs; by default it is looked up on PATH and in
// $(go env GOPATH)/bin.
const VersitygwEnv = "LINTEL_VERSITYGW"

// versitygwInstall is how to get the S3 server the tests run.
const versitygwInstall = "run `make test-deps`, or `go install github.com/versity/versitygw/cmd/versitygw@v1.8.0` (about two minutes), or set " + VersitygwEnv

// The root keys of the test server; it listens on loopback only.
const (
	s3TestAccessKey = "lintel-test"
	s3TestSecretKey = "lintel-test-secret-key"
)

// S3 returns the settings of a fresh, empty bucket on a real S3-compatible
// server: versitygw in its posix mode, serving a temporary folder on a
// loopback port. The server is shared by the tests of the binary that use
// it at the same time, and stopped (its folder removed) when the last of
// them ends; every call gets its own bucket.
//
// versitygw takes minutes to build, so outside CI a missing binary skips
// the test with how to install it; under CI=true it fails, like a missing
// PostgreSQL or Chromium.
func S3(t testing.TB) blob.S3Config {
	t.Helper()
	srv, err := acquireS3(t)
	if err != nil {
		t.Fatalf("testkit: start the S3 test server: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bucket := "lintel-test-" + randomHex(8)
	if err := srv.client.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("testkit: create S3 bucket %s: %v", bucket, err)
	}
	cfg := srv.cfg
	cfg.Bucket = bucket
	return cfg
}

// s3Server is one running versitygw.
type s3Server struct {
	cmd    *exec.Cmd
	dir    string
	cfg    blob.S3Config // without a bucket
	client *minio.Client
	exited chan struct{}
	log    *syncLog
}

var s3State struct {
	mu    sync.Mutex
	users int
	srv   *s3Server
}

// acquireS3 returns the running server, starting it for the first user,
// and stops it when the last user's test ends.
func acquireS3(t testing.TB) (*s3Server, error) {
	t.Helper()
	bin := versitygwPath()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("testkit: versitygw (the S3 server for tests) is not installed: %s", versitygwInstall)
		}
		t.Skipf("versitygw (the S3 server for tests) is not installed: %s", versitygwInstall)
	}
	s3State.mu.Lock()
	defer s3State.mu.Unlock()
	if s3State.srv == nil {
		srv, err := startS3(bin)
		if err != nil {
			return nil, err
		}
		s3State.srv = srv
	}
	s3State.users++
	srv := s3State.srv
	t.Cleanup(func() {
		s3State.mu.Lock()
		defer s3State.mu.Unlock()
		s3State.users--
		if s3State.users == 0 && s3State.srv == srv {
			srv.stop()
			s3State.srv = nil
		}
	})
	return srv, nil
}

// versitygwPath finds the binary: VersitygwEnv, PATH, then GOPATH/bin
// (where `go install` puts it, often not on PATH).
func versitygwPath() string { return toolPath(VersitygwEnv, "versitygw") }

// startS3 starts versitygw on a free loopback port and waits until it
// answers. The port is found by listening and closing, so another process
// may take it in between: then the start is tried again.
func startS3(bin string) (*s3Server, error) {
	var last error
	for range 3 {
		srv, err := tryStartS3(bin)
		if err == nil {
			return srv, nil
		}
		last = err
	}
	return nil, last
}

func tryStartS3(bin string) (*s3Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	dir, err := os.MkdirTemp("", "lintel-test-s3-")
	if err != nil {
		return nil, err
	}
	srv := &s3Server{dir: dir, exited: make(chan struct{}), log: &syncLog{}}
	srv.cmd = exec.Command(bin, "--port", addr, "--quiet", "posix", dir)
	// The keys go in the environment rather than on the command line,
	// where any user of the machine could read them.
	srv.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s3TestAccessKey, "ROOT_SECRET_KEY="+s3TestSecretKey)
	srv.cmd.Stdout, srv.cmd.Stderr = srv.log, srv.log
	srv.cmd.SysProcAttr = dieWithParent()
	if err := srv.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	go func() {
		_ = srv.cmd.Wait()
		close(srv.exited)
	}()
	srv.cfg = blob.S3Config{Endpoint: addr, AccessKey: s3TestAccessKey, SecretKey: s3TestSecretKey, Region: "us-east-1"}
	srv.client, err = minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4(s3TestAccessKey, s3TestSecretKey, ""), Region: "us-east-1"})
	if err != nil {
		srv.stop()
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err = srv.client.ListBuckets(ctx)
		cancel()
		if err == nil {
			return srv, nil
		}
		select {
		case <-srv.exited:
			srv.stop()
			return nil, fmt.Errorf("versitygw exited: %s", strings.TrimSpace(srv.log.String()))
		default:
		}
		if time.Now().After(deadline) {
			srv.stop()
			return nil, fmt.Errorf("versitygw on %s did not answer within 30s: %v\n%s", addr, err, srv.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server and removes its folder.
func (s *s3Server) stop() {
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	}
	_ = os.RemoveAll(s.dir)
}

// syncLog collects a process's output for error messages.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() < 64<<10 {
		l.b.Write(p)
	}
	return len(p), nil
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
