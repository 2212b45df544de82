package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
)

// Local stores blobs as files in a folder on local disk (the embedded
// default: <data>/files). Keys map to paths under the folder; every access
// goes through an os.Root, so neither a key nor a symbolic link planted in
// the folder can reach a file outside it.
//
// Writes are atomic and durable: the content goes to a hidden temporary file
// beside the target, is fsynced, then renamed over the key, and the folder
// is fsynced, so after a crash a key holds either its old content or its
// new one, never a torn file, and an acknowledged Put survives power loss.
type Local struct {
	root *os.Root
}

var _ Store = (*Local)(nil)

// NewLocal opens (creating it if needed, mode 0700) the folder dir and
// returns a store over it. The folder should be outside anything a web
// server serves; Lintel uses <data>/files. Close releases it.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the files folder: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open the files folder: %w", err)
	}
	return &Local{root: root}, nil
}

// Close releases the folder. The store must not be used afterwards.
func (s *Local) Close() error { return s.root.Close() }

// Put implements Store.
func (s *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (err error) {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dir := path.Dir(key)
	created, err := s.mkdirAll(dir)
	if err != nil {
		return err
	}

	tmp := path.Join(dir, ".tmp-"+randomHex())
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("blob: create %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = s.root.Remove(tmp)
		}
	}()

	src := &ctxReader{ctx: ctx, r: r}
	var n int64
	if size >= 0 {
		// Read one byte past the announced size to catch a longer reader
		// without writing an unbounded amount.
		n, err = io.Copy(f, io.LimitReader(src, size+1))
	} else {
		n, err = io.Copy(f, src)
	}
	if err != nil {
		return fmt.Errorf("blob: write %s: %w", key, err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("%w: %s: announced %d bytes, got %d or more", ErrSizeMismatch, key, size, n)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("blob: sync %s: %w", key, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("blob: close %s: %w", key, err)
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = s.root.Rename(tmp, key); err != nil {
		return fmt.Errorf("blob: rename into %s: %w", key, err)
	}
	// The rename is durable once the folder holding it is synced; folders
	// made just now must be synced into their parents too.
	for _, d := range append([]string{dir}, created...) {
		if err := s.syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// Open implements Store. The returned file is an *os.File (seekable).
func (s *Local) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := s.root.Open(key)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", key, err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("blob: stat %s: %w", key, err)
	}
	if !info.Mode().IsRegular() {
		// A key that names one of the date folders holds no blob.
		_ = f.Close()
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return f, nil
}

// Delete implements Store.
func (s *Local) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	info, err := s.root.Lstat(key)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob: stat %s: %w", key, err)
	}
	if info.IsDir() {
		// Never remove a date folder: a Put may be about to write into it.
		return nil
	}
	if err := s.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return s.syncDir(path.Dir(key))
}

// mkdirAll makes dir and its parents, returning the parents of the folders
// it created (deepest first), which need syncing for the new entries to be
// durable.
func (s *Local) mkdirAll(dir string) (created []string, err error) {
	if dir == "." {
		return nil, nil
	}
	var missing []string
	for d := dir; d != "."; d = path.Dir(d) {
		if _, err := s.root.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
	}
	if len(missing) == 0 {
		return nil, nil
	}
	if err := s.root.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob: create folder %s: %w", dir, err)
	}
	for _, d := range missing {
		created = append(created, path.Dir(d))
	}
	return created, nil
}

func (s *Local) syncDir(dir string) error {
	d, err := s.root.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: open folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("blob: sync folder %s: %w", dir, err)
	}
	return nil
}

// errNotDir is what opening "a/b" gives when "a" is a file; for a key that
// simply means nothing is stored there.
var errNotDir error = syscall.ENOTDIR

func randomHex() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ctxReader stops a long copy when the request that feeds it is gone.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// List implements Lister: every file under the folder but the temporary
// ones a Put in progress writes.
func (s *Local) List(ctx context.Context, fn func(key string, size int64) error) error {
	return fs.WalkDir(s.root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("blob: list %s: %w", name, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // deleted while we walked
			}
			return fmt.Errorf("blob: stat %s: %w", name, err)
		}
		return fn(name, info.Size())
	})
}

// Check implements Checker: the folder is still there (a disk unmounted or
// a folder removed under a running server shows here).
func (s *Local) Check(ctx context.Context) error {
	if _, err := s.root.Stat("."); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}
