package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/blob/blobtest"
	"lintel.dev/lintel/internal/testkit"
)

func newS3(t *testing.T, cfg blob.S3Config) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewS3: %v", err)
	}
	return s
}

// rawClient reads the bucket around the store, to see where objects land.
func rawClient(t *testing.T, cfg blob.S3Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Region: cfg.Region, Secure: cfg.UseTLS})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func objectKeys(t *testing.T, cfg blob.S3Config) []string {
	t.Helper()
	var keys []string
	for o := range rawClient(t, cfg).ListObjects(t.Context(), cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		keys = append(keys, o.Key)
	}
	return keys
}

func TestS3Conformance(t *testing.T) {
	for _, prefix := range []string{"", "lintel/prod"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			cfg := testkit.S3(t)
			cfg.Prefix = prefix
			blobtest.Run(t, newS3(t, cfg))
			// Failed Puts (multipart ones included) leave no objects or
			// unfinished uploads behind that the bucket would keep paying for.
			for up := range rawClient(t, cfg).ListIncompleteUploads(t.Context(), cfg.Bucket, "", true) {
				if up.Err != nil {
					t.Fatalf("list unfinished uploads: %v", up.Err)
				}
				t.Errorf("an unfinished multipart upload was left behind: %s", up.Key)
			}
		})
	}
}

func TestS3Prefix(t *testing.T) {
	cfg := testkit.S3(t)
	cfg.Prefix = "/tenant-a/files/" // slashes around it are forgiven
	s := newS3(t, cfg)
	key := blob.NewKey()
	if err := s.Put(t.Context(), key, strings.NewReader("photo"), 5, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	keys := objectKeys(t, cfg)
	if want := "tenant-a/files/" + key; len(keys) != 1 || keys[0] != want {
		t.Fatalf("objects in the bucket = %q, want [%q]", keys, want)
	}
	info, err := rawClient(t, cfg).StatObject(t.Context(), cfg.Bucket, keys[0], minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.ContentType != "image/jpeg" {
		t.Errorf("object content type = %q, want image/jpeg (S3 serves it)", info.ContentType)
	}

	// Another prefix in the same bucket is another store.
	other := cfg
	other.Prefix = "tenant-b"
	if _, err := newS3(t, other).Open(t.Context(), key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open under another prefix: %v, want blob.ErrNotFound", err)
	}

	for _, bad := range []string{"Upper", "a/../b", ".hidden", "a b"} {
		c := cfg
		c.Prefix = bad
		if _, err := blob.NewS3(t.Context(), c); err == nil {
			t.Errorf("NewS3 with prefix %q succeeded, want an error", bad)
		}
	}
}

// Open's reader seeks, so downloads can answer range requests.
func TestS3OpenSeeks(t *testing.T) {
	s := newS3(t, testkit.S3(t))
	key := blob.NewKey()
	data := []byte("0123456789abcdef")
	if err := s.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), "text/plain"); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		t.Fatalf("Open returned a %T, want an io.ReadSeeker", rc)
	}
	if n, err := rs.Seek(0, io.SeekEnd); err != nil || n != int64(len(data)) {
		t.Fatalf("Seek to end = %d, %v; want %d", n, err, len(data))
	}
	if _, err := rs.Seek(10, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rs)
	if err != nil || string(got) != "abcdef" {
		t.Fatalf("read from offset 10 = %q, %v", got, err)
	}
}

// A wrong setting stops start-up with a message that says what to fix.
func TestNewS3Refuses(t *testing.T) {
	good := testkit.S3(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name string
		edit func(*blob.S3Config)
		want string
	}{
		{"missing bucket", func(c *blob.S3Config) { c.Bucket = "no-such-bucket-here" }, `S3 bucket "no-such-bucket-here" does not exist`},
		{"wrong secret", func(c *blob.S3Config) { c.SecretKey = "not-the-secret" }, "check the endpoint, the TLS setting, the access key and secret key"},
		{"nothing listening", func(c *blob.S3Config) { c.Endpoint = closed }, "cannot reach S3 bucket"},
		{"scheme in endpoint", func(c *blob.S3Config) { c.Endpoint = "http://" + c.Endpoint }, "without the scheme"},
		{"no bucket", func(c *blob.S3Config) { c.Bucket = "" }, "needs the name of a bucket"},
		{"no keys", func(c *blob.S3Config) { c.AccessKey = "" }, "needs an access key and a secret key"},
		{"no endpoint", func(c *blob.S3Config) { c.Endpoint = "" }, "needs an endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.edit(&cfg)
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			_, err := blob.NewS3(ctx, cfg)
			if err == nil {
				t.Fatal("NewS3 succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewS3: %v\nwant a message containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), good.SecretKey) {
				t.Errorf("the error shows the secret key: %v", err)
			}
		})
	}
}
