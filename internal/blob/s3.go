package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says where an S3-compatible bucket is and how to sign in to it.
type S3Config struct {
	// Endpoint is the server's host and optional port, without a scheme:
	// "s3.eu-west-1.amazonaws.com", "minio.internal:9000".
	Endpoint string
	Bucket   string
	// AccessKey and SecretKey sign every request. The secret is never
	// logged or shown.
	AccessKey string
	SecretKey string
	// Region is the bucket's region; empty lets the client ask the server.
	Region string
	// UseTLS talks HTTPS to the endpoint. Turn it off only for a server on
	// a trusted network (or loopback in tests): keys and files would
	// otherwise cross the network in the clear.
	UseTLS bool
	// Prefix, when set, is put in front of every key ("lintel" stores
	// "2026/11/abc" as "lintel/2026/11/abc"), so one bucket can hold several
	// installations or other data besides Lintel's. It follows the rules of
	// a key (CheckKey).
	Prefix string
}

// S3 stores blobs as objects in a bucket of an S3-compatible server (AWS S3,
// MinIO, Ceph, Garage, versitygw, ...), so several Lintel nodes share their
// files (DESIGN.md, "Storage and scale").
//
// S3 gives the guarantees the local store builds by hand: an object appears
// whole when its upload completes and never in part, and an overwrite
// replaces it atomically. What this type adds is making a failed Put fail
// before the upload completes: the reader is checked against the announced
// size while it streams, so a short or long body aborts the request.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or "<prefix>/"
}

var _ Store = (*S3)(nil)

// unknownSizePart is the part size for a Put of unknown size, which S3 can
// only take as a multipart upload; the client keeps one part in memory.
// The client's own default for an unknown size plans for a 5 TiB object
// and so buffers half a gigabyte; 16 MiB parts still allow 160 GB.
const unknownSizePart = 16 << 20

// NewS3 connects to the bucket described by cfg and checks, with one
// request, that it exists and that the keys may read it, so a wrong
// endpoint, key or bucket name stops Lintel at start-up with what to fix,
// not at the first upload.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("S3 storage needs an endpoint: the server's host and port, without https://")
	}
	if strings.Contains(cfg.Endpoint, "://") {
		return nil, fmt.Errorf("S3 endpoint %q: give the host and port only, without the scheme (TLS is a setting of its own)", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, errors.New("S3 storage needs the name of a bucket")
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("S3 storage needs an access key and a secret key")
	}
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix != "" {
		if err := CheckKey(prefix); err != nil {
			return nil, fmt.Errorf("S3 key prefix %q: use lower-case letters, digits, '.', '_', '-' and '/' only: %w", cfg.Prefix, err)
		}
		prefix += "/"
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseTLS,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 endpoint %q: %w", cfg.Endpoint, err)
	}
	s := &S3{client: client, bucket: cfg.Bucket, prefix: prefix}
	ok, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("cannot reach S3 bucket %q at %s: %w (check the endpoint, the TLS setting, the access key and secret key, and that they may read the bucket)",
			cfg.Bucket, cfg.Endpoint, s3Err(err))
	}
	if !ok {
		return nil, fmt.Errorf("S3 bucket %q does not exist at %s: create it first (Lintel does not create buckets), or correct the bucket name", cfg.Bucket, cfg.Endpoint)
	}
	return s, nil
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The wrapper hides r's ReaderAt and Seeker, so the client streams
	// through it (and its checks) instead of reading r around it.
	src := &checkedReader{ctx: ctx, r: r, size: size}
	opts := minio.PutObjectOptions{ContentType: contentType}
	if size < 0 {
		opts.PartSize = unknownSizePart
	}
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, src, size, opts)
	if src.err != nil {
		// The reader's own failure is what the caller can act on; the
		// client only reports the upload it cut short.
		return fmt.Errorf("blob: put %s: %w", key, src.err)
	}
	if err == nil && size >= 0 && src.n != size {
		// Cannot happen with the checks above; kept so a client change
		// cannot turn a short body into a short blob unnoticed.
		return fmt.Errorf("%w: %s: announced %d bytes, sent %d", ErrSizeMismatch, key, size, src.n)
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("blob: put %s: %w", key, ctxErr)
		}
		return fmt.Errorf("blob: put %s: %w", key, s3Err(err))
	}
	return nil
}

// Open implements Store. The reader is a *minio.Object, an io.ReadSeeker:
// http.ServeContent's range requests become ranged GETs.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", key, s3Err(err))
	}
	// GetObject sends nothing until the first read; Stat sends the GET now,
	// so a missing key is ErrNotFound here and not halfway through a
	// response whose headers are already written.
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		if isNotFound(err) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("blob: open %s: %w", key, s3Err(err))
	}
	return obj, nil
}

// Delete implements Store. S3 answers a delete of a missing key with
// success, as Store wants.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("blob: delete %s: %w", key, s3Err(err))
	}
	return nil
}

// isNotFound reports whether the server said the object is not there.
func isNotFound(err error) bool {
	resp := minio.ToErrorResponse(err)
	return resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket
}

// s3Err adds the server's error code to err, which is what an operator
// searches for ("AccessDenied", "SignatureDoesNotMatch", ...).
// Every such failure is ErrUnavailable too: whatever the server or the
// network said, the file could not be reached just now.
func s3Err(err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == "" || strings.Contains(err.Error(), resp.Code) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, resp.Code, err)
}

// Check implements Checker: the bucket answers.
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s3Err(err)
	}
	if !ok {
		return fmt.Errorf("%w: bucket %q does not exist", ErrUnavailable, s.bucket)
	}
	return nil
}

// checkedReader passes r through while holding it to its announced size,
// so the upload fails, and is not completed, when r yields more or fewer
// bytes. It reads one byte past the end to catch a longer reader before
// handing over the last bytes. It also stops when ctx ends.
type checkedReader struct {
	ctx  context.Context
	r    io.Reader
	size int64 // -1 when unknown
	n    int64
	err  error // the first failure of r or of the size check
	done bool
}

func (c *checkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.done {
		return 0, io.EOF
	}
	if err := c.ctx.Err(); err != nil {
		c.err = err
		return 0, err
	}
	if c.size >= 0 {
		left := c.size - c.n
		if left == 0 {
			return 0, c.atEnd()
		}
		if int64(len(p)) > left {
			p = p[:left]
		}
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	switch {
	case err == io.EOF:
		if c.size >= 0 && c.n < c.size {
			c.err = fmt.Errorf("%w: announced %d bytes, got %d", ErrSizeMismatch, c.size, c.n)
			return n, c.err
		}
		c.done = true
	case err != nil:
		c.err = err
		return n, err
	case c.size >= 0 && c.n == c.size:
		// Check for a longer reader now, while these last bytes are still
		// ours to refuse.
		if err := c.atEnd(); err != io.EOF {
			return n, err
		}
	}
	return n, err
}

// atEnd is called when size bytes were read: it returns io.EOF when r has
// nothing more, else the failure.
func (c *checkedReader) atEnd() error {
	if c.done {
		return io.EOF
	}
	var one [1]byte
	for {
		n, err := c.r.Read(one[:])
		if n > 0 {
			c.err = fmt.Errorf("%w: announced %d bytes, got more", ErrSizeMismatch, c.size)
			return c.err
		}
		if err == io.EOF {
			c.done = true
			return io.EOF
		}
		if err != nil {
			c.err = err
			return err
		}
	}
}

// List implements Lister: every object under the store's prefix.
func (s *S3) List(ctx context.Context, fn func(key string, size int64) error) error {
	// Stopping early must stop the listing's goroutine too.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("blob: list bucket %q: %w", s.bucket, s3Err(obj.Err))
		}
		if err := fn(strings.TrimPrefix(obj.Key, s.prefix), obj.Size); err != nil {
			return err
		}
	}
	return ctx.Err()
}
