package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"lintel.dev/lintel/internal/blob"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// s3Env is the environment that points `lintel serve` at cfg's bucket.
func s3Env(cfg blob.S3Config) map[string]string {
	return map[string]string{
		"LINTEL_STORAGE":       "s3",
		"LINTEL_S3_ENDPOINT":   cfg.Endpoint,
		"LINTEL_S3_BUCKET":     cfg.Bucket,
		"LINTEL_S3_ACCESS_KEY": cfg.AccessKey,
		"LINTEL_S3_SECRET_KEY": cfg.SecretKey,
		"LINTEL_S3_REGION":     cfg.Region,
		"LINTEL_S3_TLS":        "false", // the test server is on loopback
		"LINTEL_S3_PREFIX":     "lintel",
	}
}

// With --storage s3, a maintenance photo sent through the app (a
// contractor's, from the task link) lands in the bucket, nothing is written
// to the data folder, and the app serves it back from the bucket.
func TestServeStoresPhotosInS3(t *testing.T) {
	cfg := testkit.S3(t)
	data := t.TempDir()
	db, err := sqldb.Open(context.Background(), "", data, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.NewWorld(t, db)
	db.Close()

	s := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", data}, s3Env(cfg))
	task := s.url + "/t/" + w.A.VisitToken

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("phase", "before")
	part, err := mw.CreateFormFile("photos", "leak.jpg")
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: 90, B: uint8(y * 5), A: 255})
		}
	}
	if err := jpeg.Encode(part, img, nil); err != nil {
		t.Fatal(err)
	}
	mw.Close()
	hc := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Post(task+"/photos", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST photos = %d, want 303", res.StatusCode)
	}

	// The photo and its thumbnail are objects under the prefix.
	client, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Region: cfg.Region})
	if err != nil {
		t.Fatal(err)
	}
	objects := map[string][]byte{}
	for o := range client.ListObjects(t.Context(), cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		if !strings.HasPrefix(o.Key, "lintel/") {
			t.Errorf("object %q is outside the prefix lintel/", o.Key)
		}
		obj, err := client.GetObject(t.Context(), cfg.Bucket, o.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		objects[o.Key], err = io.ReadAll(obj)
		obj.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(objects) != 2 {
		t.Fatalf("the bucket holds %d objects, want 2 (the photo and its thumbnail): %v", len(objects), keysOf(objects))
	}
	// Nothing went to the local folder.
	filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(filepath.ToSlash(p), "/files/") {
			t.Errorf("a file was written to the data folder: %s", p)
		}
		return nil
	})

	// The task page links the photo; following the link serves the bytes
	// from the bucket.
	res, err = hc.Get(task)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`href="(/t/[^"]+/photos/\d+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no photo link on the task page:\n%s", page)
	}
	res, err = hc.Get(s.url + string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("GET the photo = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	found := false
	for _, b := range objects {
		found = found || bytes.Equal(b, got)
	}
	if !found {
		t.Errorf("the served photo (%d bytes) is none of the objects in the bucket", len(got))
	}
	if strings.Contains(s.stderr.String(), cfg.SecretKey) {
		t.Error("the secret key appears in the log")
	}
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Storage settings that cannot work stop the start with what to fix, and
// never print the secret.
func TestServeRefusesBadStorage(t *testing.T) {
	cfg := testkit.S3(t)
	for _, tc := range []struct {
		name string
		edit func(map[string]string)
		want []string
	}{
		{"missing bucket", func(e map[string]string) { e["LINTEL_S3_BUCKET"] = "no-such-bucket" }, []string{`S3 bucket "no-such-bucket" does not exist`, "create it first"}},
		{"wrong secret", func(e map[string]string) { e["LINTEL_S3_SECRET_KEY"] = "wrong-secret-key" }, []string{"cannot reach S3 bucket", "secret key"}},
		{"settings missing", func(e map[string]string) { delete(e, "LINTEL_S3_BUCKET"); delete(e, "LINTEL_S3_SECRET_KEY") },
			[]string{"--storage s3 needs LINTEL_S3_BUCKET (--s3-bucket), LINTEL_S3_SECRET_KEY"}},
		{"unknown storage", func(e map[string]string) { e["LINTEL_STORAGE"] = "ftp" }, []string{`--storage "ftp": use local`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := s3Env(cfg)
			tc.edit(env)
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, envOf(env), &stdout, &stderr)
			if err == nil {
				t.Fatal("serve started")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("serve: %v\nwant a message containing %q", err, w)
				}
			}
			if out := err.Error() + stdout.String() + stderr.String(); strings.Contains(out, cfg.SecretKey) || strings.Contains(out, "wrong-secret-key") {
				t.Errorf("the secret key was printed:\n%s", out)
			}
		})
	}
}

// The default stays a folder in the data folder.
func TestServeLocalStorageByDefault(t *testing.T) {
	data := t.TempDir()
	s := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", data}, nil)
	if info, err := os.Stat(filepath.Join(data, "files")); err != nil || !info.IsDir() {
		t.Errorf("no files folder in the data folder: %v", err)
	}
	if !strings.Contains(s.stderr.String(), "uploaded files are kept in a local folder") {
		t.Errorf("the log does not say where files go:\n%s", s.stderr.String())
	}
}
