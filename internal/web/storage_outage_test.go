package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// cuttableLink forwards TCP connections to target until cut, which closes
// the listener and every connection: a network outage between Lintel and
// its S3 server, produced on demand in front of the real one.
type cuttableLink struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newCuttableLink(t *testing.T, target string) *cuttableLink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &cuttableLink{ln: ln}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			l.mu.Lock()
			l.conns = append(l.conns, in, out)
			l.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	t.Cleanup(l.cut)
	return l
}

func (l *cuttableLink) cut() {
	l.ln.Close()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}

// TestStorageOutage: with the S3 server out of reach, opening a document
// answers 503 saying that files are out of reach for a moment and nothing
// is lost (not "something went wrong", and not a database outage), the
// rest of Lintel keeps working, and /readyz names the file store.
func TestStorageOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testkit.S3(t)
	link := newCuttableLink(t, cfg.Endpoint)
	cfg.Endpoint = link.ln.Addr().String()
	store, err := blob.NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	db, w := testkit.SQLiteWorld(t)
	app := newTestAppWith(t, db, Config{Files: store})
	body := []byte("%PDF-1.4 house rules")
	key := blob.NewKey()
	if err := store.Put(ctx, key, bytes.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	doc, err := db.CreateDocument(ctx, w.A.Staff[testkit.Admin], sqldb.NewDocument{
		File:  sqldb.NewFile{Key: key, Name: "rules.pdf", ContentType: "application/pdf", Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])},
		Title: "House rules", Category: lintel.DocRules,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	admin := loginPersona(t, app, w.A, testkit.Admin)
	file := fmt.Sprintf("/manage/documents/%d/file", doc)
	admin.get(file).want(t, http.StatusOK)
	if r := admin.get("/readyz").want(t, http.StatusOK); r.Body != "database: ok\nfiles: ok\n" {
		t.Fatalf("/readyz = %q", r.Body)
	}

	link.cut()
	r := admin.get(file).want(t, http.StatusServiceUnavailable)
	r.wantBody(t, "cannot reach its file storage", "Nothing is lost")
	if strings.Contains(r.Body, "database") || r.Header.Get("Retry-After") == "" {
		t.Fatalf("the outage page blames the database or gives no Retry-After:\n%s", excerpt(r.Body))
	}
	admin.get(fmt.Sprintf("/manage/documents/%d", doc)).want(t, http.StatusOK) // the records are still there
	if r := admin.get("/readyz").want(t, http.StatusServiceUnavailable); r.Body != "database: ok\nfiles: not ready\n" {
		t.Fatalf("/readyz in the outage = %q", r.Body)
	}
}
