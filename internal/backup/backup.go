// Package backup makes and restores backups of a Lintel data folder: a
// consistent copy of the SQLite database taken while the server runs, the
// uploaded files, and a manifest with every file's size and SHA-256, which
// a restore checks before the copy is used.
//
// A backup folder holds lintel.db, files/<key> for each stored file and
// manifest.json, written last: a folder without a manifest is an
// unfinished backup and is refused.
package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"lintel.dev/lintel/internal/sqldb"
)

// Names inside a backup folder and a data folder.
const (
	ManifestName = "manifest.json"
	DatabaseName = "lintel.db"
	FilesDir     = "files"
	// Format is the manifest's layout version; a restore refuses others.
	Format = 1
)

// Entry is one file of a backup, by its slash-separated path inside the
// backup folder (and inside the data folder it restores).
type Entry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest describes a backup: the database first, then the files.
type Manifest struct {
	Format    int       `json:"format"`
	Version   string    `json:"lintel_version"`
	CreatedAt time.Time `json:"created_at"`
	// FilesIncluded is false when the files live elsewhere (S3): the
	// backup then holds the database only.
	FilesIncluded bool    `json:"files_included"`
	Entries       []Entry `json:"files"`
	// Missing are the stored files the database copy names that were gone
	// from the files folder when the backup copied it (deleted meanwhile,
	// or lost before): lintel verify on the restored copy lists them too.
	Missing []string `json:"missing,omitempty"`
}

// Totals sums the manifest: how many uploaded files and bytes, beside the
// database's size.
func (m Manifest) Totals() (database int64, files int, bytes int64) {
	for _, e := range m.Entries {
		if e.Path == DatabaseName {
			database = e.Size
			continue
		}
		files++
		bytes += e.Size
	}
	return database, files, bytes
}

// Source is what Create backs up.
type Source struct {
	DB *sqldb.DB
	// FilesDir is the local folder of uploaded files; "" when they are
	// kept in S3, which the backup does not copy.
	FilesDir string
	Version  string // Lintel's version, recorded in the manifest
	Now      func() time.Time
}

// Create writes a backup of src into the folder to, which must not exist or
// be empty. The database is copied first, as one snapshot; then exactly the
// files its rows name. Uploads store the file before they commit its row,
// so each of those files was there before the snapshot and is copied,
// unless it was deleted in the meantime (Manifest.Missing); files uploaded
// after the snapshot belong to rows the copy does not have and are left
// out, so a restored copy has no stray files either.
func Create(ctx context.Context, src Source, to string) (Manifest, error) {
	if err := emptyFolder(to); err != nil {
		return Manifest{}, err
	}
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	m := Manifest{Format: Format, Version: src.Version, CreatedAt: now().UTC(), FilesIncluded: src.FilesDir != ""}
	dbPath := filepath.Join(to, DatabaseName)
	if err := src.DB.BackupTo(ctx, dbPath); err != nil {
		return Manifest{}, err
	}
	e, err := hashFile(dbPath)
	if err != nil {
		return Manifest{}, err
	}
	e.Path = DatabaseName
	m.Entries = append(m.Entries, e)
	if src.FilesDir != "" {
		var keys []string
		err := sqldb.EachStoredFileIn(ctx, dbPath, func(key string, _ int64) error {
			keys = append(keys, key)
			return nil
		})
		if err != nil {
			return Manifest{}, err
		}
		files, missing, err := copyFiles(ctx, src.FilesDir, filepath.Join(to, FilesDir), keys)
		if err != nil {
			return Manifest{}, err
		}
		m.Entries, m.Missing = append(m.Entries, files...), missing
	}
	if err := writeManifest(to, m); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// Restore checks the backup in from against its manifest and rebuilds a
// data folder from it in data, which must not exist or be empty. Nothing
// is trusted before it is checked: every path must stay inside the backup
// and the data folder, and every file must have its recorded size and
// SHA-256, or the restore stops with what is wrong.
func Restore(ctx context.Context, from, data string) (Manifest, error) {
	m, err := ReadManifest(from)
	if err != nil {
		return Manifest{}, err
	}
	if err := emptyFolder(data); err != nil {
		return Manifest{}, err
	}
	src, err := os.OpenRoot(from)
	if err != nil {
		return Manifest{}, err
	}
	defer src.Close()
	dst, err := os.OpenRoot(data)
	if err != nil {
		return Manifest{}, err
	}
	defer dst.Close()
	for _, e := range m.Entries {
		if err := ctx.Err(); err != nil {
			return Manifest{}, err
		}
		if err := restoreEntry(src, dst, e); err != nil {
			return Manifest{}, fmt.Errorf("%w; remove %s and restore another backup", err, data)
		}
	}
	return m, nil
}

// ReadManifest reads and checks the manifest of the backup in dir.
func ReadManifest(dir string) (Manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, fmt.Errorf("%s has no %s: it is not a backup, or the backup did not finish", dir, ManifestName)
	}
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestName), err)
	}
	if m.Format != Format {
		return Manifest{}, fmt.Errorf("%s is a backup in format %d; this Lintel reads format %d", dir, m.Format, Format)
	}
	if len(m.Entries) == 0 || m.Entries[0].Path != DatabaseName {
		return Manifest{}, fmt.Errorf("%s: the manifest does not list the database first", dir)
	}
	for _, e := range m.Entries {
		if !entryPathOK(e.Path) {
			return Manifest{}, fmt.Errorf("%s: the manifest names %q, outside a backup's layout", dir, e.Path)
		}
	}
	return m, nil
}

// entryPathOK accepts the database and files under files/, as relative,
// clean, slash-separated paths that cannot climb out of a folder.
func entryPathOK(p string) bool {
	if p == DatabaseName {
		return true
	}
	return strings.HasPrefix(p, FilesDir+"/") && path.Clean(p) == p && filepath.IsLocal(filepath.FromSlash(p))
}

func restoreEntry(src, dst *os.Root, e Entry) error {
	in, err := src.Open(filepath.FromSlash(e.Path))
	if err != nil {
		return fmt.Errorf("the backup lacks %s: %w", e.Path, err)
	}
	defer in.Close()
	if dir := path.Dir(e.Path); dir != "." {
		if err := dst.MkdirAll(filepath.FromSlash(dir), 0o700); err != nil {
			return err
		}
	}
	out, err := dst.OpenFile(filepath.FromSlash(e.Path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore %s: %w", e.Path, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != e.Size || sum != e.SHA256 {
		return fmt.Errorf("%s in the backup is damaged: %d bytes with SHA-256 %s, the manifest says %d bytes with %s", e.Path, n, sum, e.Size, e.SHA256)
	}
	return nil
}

// copyFiles copies the stored files named by keys from dir into to,
// returning their entries and the keys that were not there.
func copyFiles(ctx context.Context, dir, to string, keys []string) (entries []Entry, missing []string, err error) {
	if len(keys) == 0 {
		return nil, nil, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("open the files folder: %w", err)
	}
	defer root.Close()
	for _, key := range keys {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if !entryPathOK(FilesDir + "/" + key) {
			return nil, nil, fmt.Errorf("the database names a stored file %q that is not a storage key", key)
		}
		e, err := copyOne(root, key, filepath.Join(to, filepath.FromSlash(key)))
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, key)
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("copy the files: %w", err)
		}
		e.Path = FilesDir + "/" + key
		entries = append(entries, e)
	}
	return entries, missing, nil
}

func copyOne(root *os.Root, key, target string) (Entry, error) {
	in, err := root.Open(filepath.FromSlash(key))
	if err != nil {
		return Entry{}, err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return Entry{}, err
	}
	return copyHashed(in, target)
}

func copyHashed(in io.Reader, target string) (Entry, error) {
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Entry{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Entry{}, fmt.Errorf("copy to %s: %w", target, err)
	}
	return Entry{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func hashFile(p string) (Entry, error) {
	f, err := os.Open(p)
	if err != nil {
		return Entry{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Entry{}, err
	}
	return Entry{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// writeManifest writes the manifest last and atomically: its presence is
// what says the backup is whole.
func writeManifest(dir string, m Manifest) error {
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+ManifestName+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(raw, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write the manifest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, ManifestName)); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// emptyFolder makes dir (mode 0700) unless it exists and is empty; a folder
// with anything in it is refused, so nothing is ever overwritten.
func emptyFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.MkdirAll(dir, 0o700)
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty: give a new folder, so nothing is overwritten", dir)
	}
	return nil
}
