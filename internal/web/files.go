package web

import (
	"context"
	"errors"
	"fmt"
	"io"

	"lintel.dev/lintel/internal/blob"
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
