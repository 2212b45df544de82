package blob_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/blob/blobtest"
)

func newLocal(t *testing.T) (*blob.Local, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "files")
	s, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func TestLocalConformance(t *testing.T) {
	s, dir := newLocal(t)
	blobtest.Run(t, s)
	// Failed and racing writes leave no temporary files behind.
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("a temporary file was left behind: %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCheckKey(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"2026/11/abcdefghijklmnopqrstuvwxyz", true},
		{"a", true},
		{"a/b/c", true},
		{"a/b-c_d.jpg", true},
		{"2026/11/abc.thumb", true},
		{"", false},
		{"/a", false},
		{"a/", false},
		{"a//b", false},
		{"..", false},
		{"a/../b", false},
		{"a/b/..", false},
		{"a..b", false}, // harmless, but refused: no ".." anywhere is simpler to trust
		{".tmp-x", false},
		{"a/.b", false},
		{"_a", false},
		{"A", false},
		{`a\b`, false},
		{"a:b", false},
		{"a b", false},
		{"a\x00", false},
		{strings.Repeat("a", blob.MaxKeyLen), true},
		{strings.Repeat("a", blob.MaxKeyLen+1), false},
	} {
		err := blob.CheckKey(tc.key)
		if tc.ok && err != nil {
			t.Errorf("CheckKey(%q) = %v, want ok", tc.key, err)
		}
		if !tc.ok && !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("CheckKey(%q) = %v, want ErrInvalidKey", tc.key, err)
		}
	}
}

func TestLocalLayout(t *testing.T) {
	s, dir := newLocal(t)
	key := blob.NewKey()
	if err := s.Put(t.Context(), key, strings.NewReader("photo"), 5, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, filepath.FromSlash(key))
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "photo" {
		t.Fatalf("the blob is not at %s: %q, %v", p, got, err)
	}
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("blob mode = %v, want 0600 (readable by the lintel user only)", perm)
	}
	info, err = os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("folder mode = %v, want 0700", perm)
	}
}

// A symbolic link planted inside the folder cannot lead a key outside it.
func TestLocalSymlinkEscape(t *testing.T) {
	s, dir := newLocal(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "evil")); err != nil {
		t.Fatal(err)
	}
	if rc, err := s.Open(t.Context(), "evil/secret"); err == nil {
		rc.Close()
		t.Error("Open followed a symbolic link out of the folder")
	}
	if err := s.Put(t.Context(), "evil/planted", bytes.NewReader([]byte("x")), 1, "text/plain"); err == nil {
		t.Error("Put followed a symbolic link out of the folder")
	}
	if _, err := os.Stat(filepath.Join(outside, "planted")); err == nil {
		t.Error("a file was written outside the folder")
	}
	if err := s.Delete(t.Context(), "evil/secret"); err == nil {
		if _, err := os.Stat(filepath.Join(outside, "secret")); err != nil {
			t.Error("Delete removed a file outside the folder")
		}
	}
}

func TestNewLocalRefusesAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.NewLocal(f); err == nil {
		t.Fatal("NewLocal over a file succeeded")
	}
}
