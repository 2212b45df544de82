// Package blobtest is the conformance suite every blob.Store must pass: the
// local folder store now, an S3-compatible store later. Call Run from a test
// with a fresh (or shared: keys are prefixed per run) store.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"lintel.dev/lintel/internal/blob"
)

// Run checks the semantics documented on blob.Store against s. Keys are
// made under a random prefix, so a bucket shared with other runs is fine.
func Run(t *testing.T, s blob.Store) {
	t.Helper()
	prefix := "blobtest/" + strings.ReplaceAll(blob.NewKey(), "/", "-")
	n := 0
	key := func() string { n++; return fmt.Sprintf("%s/k%d", prefix, n) }
	ctx := t.Context()

	t.Run("RoundTrip", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			data []byte
			size func(int) int64 // announced size for a content length
		}{
			{"empty", nil, exact},
			{"small", []byte("an invoice, say"), exact},
			{"binary", []byte{0, 0xff, '\n', '\r', 0x1a, 0}, exact},
			{"large", randomBytes(t, 3<<20+17), exact},
			{"unknown size", []byte("streamed without a length"), unknown},
			{"large unknown size", randomBytes(t, 1<<20+3), unknown},
		} {
			t.Run(tc.name, func(t *testing.T) {
				k := key()
				if err := s.Put(ctx, k, bytes.NewReader(tc.data), tc.size(len(tc.data)), "application/octet-stream"); err != nil {
					t.Fatalf("Put: %v", err)
				}
				if got := read(t, s, k); !bytes.Equal(got, tc.data) {
					t.Fatalf("Open returned %d bytes, want the %d stored", len(got), len(tc.data))
				}
			})
		}
	})

	t.Run("OpenMissing", func(t *testing.T) {
		_, err := s.Open(ctx, key())
		if !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Open of a missing key: err = %v, want blob.ErrNotFound", err)
		}
	})

	t.Run("Overwrite", func(t *testing.T) {
		k := key()
		put(t, s, k, []byte("first version, longer"))
		put(t, s, k, []byte("second"))
		if got := string(read(t, s, k)); got != "second" {
			t.Fatalf("after a second Put, Open = %q, want %q", got, "second")
		}
	})

	t.Run("Delete", func(t *testing.T) {
		k := key()
		put(t, s, k, []byte("to be deleted"))
		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Open(ctx, k); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Open after Delete: err = %v, want blob.ErrNotFound", err)
		}
		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("second Delete of the same key: %v, want nil (retries must succeed)", err)
		}
		if err := s.Delete(ctx, key()); err != nil {
			t.Fatalf("Delete of a key never stored: %v, want nil", err)
		}
	})

	t.Run("NestedKeys", func(t *testing.T) {
		// A key that is a prefix of another holds no blob of its own.
		k := key()
		put(t, s, k+"/a/b", []byte("deep"))
		if got := string(read(t, s, k+"/a/b")); got != "deep" {
			t.Fatalf("Open = %q", got)
		}
		if _, err := s.Open(ctx, k+"/a"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Open of a key's parent: err = %v, want blob.ErrNotFound", err)
		}
		if err := s.Delete(ctx, k+"/a"); err != nil {
			t.Fatalf("Delete of a key's parent: %v, want nil", err)
		}
		if got := string(read(t, s, k+"/a/b")); got != "deep" {
			t.Fatalf("after deleting its parent key, Open = %q, want the blob unharmed", got)
		}
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		for _, bad := range invalidKeys {
			t.Run(fmt.Sprintf("%q", bad), func(t *testing.T) {
				if err := s.Put(ctx, bad, strings.NewReader("x"), 1, "text/plain"); !errors.Is(err, blob.ErrInvalidKey) {
					t.Errorf("Put: err = %v, want blob.ErrInvalidKey", err)
				}
				if rc, err := s.Open(ctx, bad); !errors.Is(err, blob.ErrInvalidKey) {
					if rc != nil {
						rc.Close()
					}
					t.Errorf("Open: err = %v, want blob.ErrInvalidKey", err)
				}
				if err := s.Delete(ctx, bad); !errors.Is(err, blob.ErrInvalidKey) {
					t.Errorf("Delete: err = %v, want blob.ErrInvalidKey", err)
				}
			})
		}
	})

	// Put is all or nothing: each failure leaves no blob, and leaves an
	// earlier blob under the same key as it was.
	t.Run("AllOrNothing", func(t *testing.T) {
		data := []byte("0123456789")
		whole := func() io.Reader { return bytes.NewReader(data) }
		broken := func() io.Reader { return io.MultiReader(bytes.NewReader(data), errReader{}) }
		for _, tc := range []struct {
			name    string
			ctx     func() context.Context
			r       func() io.Reader
			size    int64
			wantErr error
		}{
			{"reader shorter than size", t.Context, whole, 11, blob.ErrSizeMismatch},
			{"reader longer than size", t.Context, whole, 9, blob.ErrSizeMismatch},
			{"reader fails midway", t.Context, broken, -1, errBroken},
			{"reader fails midway, known size", t.Context, broken, 20, errBroken},
			{"context cancelled", cancelled, whole, 10, context.Canceled},
		} {
			t.Run(tc.name, func(t *testing.T) {
				k := key()
				err := s.Put(tc.ctx(), k, tc.r(), tc.size, "text/plain")
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Put: err = %v, want %v", err, tc.wantErr)
				}
				if _, err := s.Open(ctx, k); !errors.Is(err, blob.ErrNotFound) {
					t.Fatalf("after a failed Put, Open: err = %v, want blob.ErrNotFound", err)
				}

				put(t, s, k, []byte("kept"))
				if err := s.Put(tc.ctx(), k, tc.r(), tc.size, "text/plain"); !errors.Is(err, tc.wantErr) {
					t.Fatalf("failing Put over an existing blob: err = %v, want %v", err, tc.wantErr)
				}
				if got := string(read(t, s, k)); got != "kept" {
					t.Fatalf("a failed Put over an existing blob left %q, want %q", got, "kept")
				}
			})
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		k := key()
		put(t, s, k, []byte("x"))
		if rc, err := s.Open(cancelled(), k); err == nil {
			rc.Close()
			t.Error("Open with a cancelled context succeeded")
		}
		if err := s.Delete(cancelled(), k); err == nil {
			t.Error("Delete with a cancelled context succeeded")
		}
	})

	t.Run("List", func(t *testing.T) {
		l, ok := s.(blob.Lister)
		if !ok {
			t.Fatalf("%T cannot list what it holds (blob.Lister)", s)
		}
		want := map[string]int64{}
		for i := range 3 {
			k := key() + "/listed"
			put(t, s, k, bytes.Repeat([]byte("x"), 10*i+1))
			want[k] = int64(10*i + 1)
		}
		gone := key()
		put(t, s, gone, []byte("deleted"))
		if err := s.Delete(ctx, gone); err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		err := l.List(ctx, func(k string, size int64) error {
			if strings.HasPrefix(k, prefix+"/") && strings.HasSuffix(k, "/listed") || k == gone {
				got[k] = size
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("listed %v, want %v", got, want)
		}
		stop := errors.New("enough")
		calls := 0
		if err := l.List(ctx, func(string, int64) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
			t.Errorf("a List whose callback fails returned %v after %d calls, want the callback's error after 1", err, calls)
		}
	})

	t.Run("NewKey", func(t *testing.T) {
		seen := map[string]bool{}
		now := time.Now().UTC()
		shape := regexp.MustCompile(`^\d{4}/\d{2}/[a-z2-7]{26}$`)
		for range 1000 {
			k := blob.NewKey()
			if seen[k] {
				t.Fatalf("NewKey repeated %q", k)
			}
			seen[k] = true
			if !shape.MatchString(k) {
				t.Fatalf("NewKey() = %q, want YYYY/MM/<26 base32 characters>", k)
			}
			if err := blob.CheckKey(k); err != nil {
				t.Fatalf("CheckKey(NewKey()) = %v", err)
			}
		}
		k := blob.NewKey()
		// Allow for the month turning over during the test.
		if want, next := now.Format("2006/01/"), time.Now().UTC().Format("2006/01/"); !strings.HasPrefix(k, want) && !strings.HasPrefix(k, next) {
			t.Fatalf("NewKey() = %q, want the prefix %q", k, want)
		}
		// A generated key works as a store key, under the run's prefix too.
		k = prefix + "/" + k
		put(t, s, k, []byte("generated"))
		if got := string(read(t, s, k)); got != "generated" {
			t.Fatalf("Open = %q", got)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		const workers = 8
		keys := make([]string, workers)
		for i := range keys {
			keys[i] = key()
		}
		shared := key()
		var wg sync.WaitGroup
		errs := make(chan error, 2*workers)
		for i, k := range keys {
			wg.Go(func() {
				body := bytes.Repeat([]byte{byte('a' + i)}, 64<<10)
				if err := s.Put(ctx, k, bytes.NewReader(body), int64(len(body)), "text/plain"); err != nil {
					errs <- err
				}
				// Every writer also races on one key: the winner's content
				// must be whole, never a mix.
				if err := s.Put(ctx, shared, bytes.NewReader(body), int64(len(body)), "text/plain"); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent Put: %v", err)
		}
		for i, k := range keys {
			if got := read(t, s, k); !bytes.Equal(got, bytes.Repeat([]byte{byte('a' + i)}, 64<<10)) {
				t.Fatalf("key %d holds the wrong content after concurrent writes", i)
			}
		}
		got := read(t, s, shared)
		if len(got) != 64<<10 || !bytes.Equal(got, bytes.Repeat(got[:1], len(got))) {
			t.Fatalf("a key written concurrently holds a torn blob (%d bytes)", len(got))
		}
	})
}

// invalidKeys are keys every store must refuse with blob.ErrInvalidKey.
var invalidKeys = []string{
	"",
	"/etc/passwd",
	"../outside",
	"a/../../outside",
	"a/..",
	"..",
	".",
	"a/./b",
	"a//b",
	"a/",
	"/a",
	".hidden",
	"a/.tmp-123",
	"A/B",
	`a\b`,
	`..\outside`,
	"a b",
	"a\x00b",
	"a\nb",
	"café",
	"C:/windows",
	"-a",
	strings.Repeat("a", blob.MaxKeyLen+1),
}

var errBroken = errors.New("blobtest: the reader broke")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBroken }

func exact(n int) int64 { return int64(n) }
func unknown(int) int64 { return -1 }
func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func put(t *testing.T, s blob.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), "text/plain"); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func read(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	rc, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
