package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// noFiles is the file store of a server configured without one: every
// upload is refused with a message an operator can act on, and no file is
// ever found. It keeps handlers free of nil checks.
type noFiles struct{}

var errNoFiles = errors.New("no file storage is configured: start Lintel with a data folder (--data) so uploads have somewhere to go")

func (noFiles) Put(context.Context, string, io.Reader, int64, string) error { return errNoFiles }
func (noFiles) Open(_ context.Context, key string) (io.ReadCloser, error) {
	return nil, fmt.Errorf("%w: %s", blob.ErrNotFound, key)
}
func (noFiles) Delete(context.Context, string) error { return nil }

// storeBlob writes checked data to the file store under a new key and
// returns it as a file for the store to record. Callers delete it again
// (deleteBlobs) when recording fails.
func (s *Server) storeBlob(ctx context.Context, data []byte, name, contentType string) (sqldb.NewFile, error) {
	key := blob.NewKey()
	if err := s.files.Put(ctx, key, bytes.NewReader(data), int64(len(data)), contentType); err != nil {
		return sqldb.NewFile{}, fmt.Errorf("store %s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	return sqldb.NewFile{Key: key, Name: name, ContentType: contentType, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// deleteBlobs removes blobs of an upload that was not recorded. It runs
// even when the person has gone (a cancelled context); a failure is logged
// and left: an unreferenced blob is only wasted space.
func (s *Server) deleteBlobs(ctx context.Context, keys ...string) {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if err := s.files.Delete(context.WithoutCancel(ctx), k); err != nil {
			s.log.Warn("delete unused blob", "key", k, "err", err)
		}
	}
}

// photoKeys are the blob keys of stored photos and their thumbnails.
func photoKeys(photos []sqldb.NewPhoto) []string {
	var out []string
	for _, p := range photos {
		out = append(out, p.File.Key, p.Thumb.Key)
	}
	return out
}

// fileCache says how a browser may keep a served file.
type fileCache int

const (
	// cachePrivate: signed-in people's files may be kept privately and
	// revalidated each time; the scope check runs on every request, so
	// access ends when the person's access ends.
	cachePrivate fileCache = iota
	// cacheNever: files under secret links (contractor, approval) are
	// never kept, like every page there (SECURITY.md 15).
	cacheNever
)

// serveStoredFile sends a stored file, after the caller checked scope,
// with the type recorded when it was checked on upload (never sniffed
// again) and in a sandbox, so a file cannot act as a page of this site.
func (s *Server) serveStoredFile(w http.ResponseWriter, r *http.Request, f sqldb.StoredFile, disposition string, cache fileCache) error {
	rc, err := s.files.Open(r.Context(), f.Key)
	if errors.Is(err, blob.ErrNotFound) {
		s.log.Error("stored file missing", "id", requestIDOf(r), "key", f.Key)
		return lintel.ErrNotFound
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	// img-src and inline styles let the browser's own viewer show a photo
	// opened on its own; the sandbox still forbids scripts and forms.
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	if cache == cacheNever {
		h.Set("Cache-Control", "no-store")
	} else {
		h.Set("Cache-Control", "private, no-cache")
		sum := sha256.Sum256([]byte(f.Key))
		h.Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	}
	h.Set("Content-Disposition", contentDisposition(disposition, f.Name))
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", time.Time{}, rs)
		return nil
	}
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	_, _ = io.Copy(w, rc)
	return nil
}

// serveGeneratedFile sends a file made for this request (a receipt or
// statement PDF), after the caller checked scope, with the same sandbox
// and type headers as a stored file. It is never kept by the browser: it
// reflects the ledger at this moment.
func serveGeneratedFile(w http.ResponseWriter, r *http.Request, data []byte, name, contentType, disposition string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Disposition", contentDisposition(disposition, name))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}
