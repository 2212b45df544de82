package photo

import (
	"context"

	"golang.org/x/sync/semaphore"
)

// budget bounds the bytes that photos being processed hold at once: each
// decode holds what it is expected to need until its pixels are garbage.
// It replaces "one decode per core", which bounded the number of decodes
// but not their size, so two large PNGs could take gigabytes. Waiters are
// served in order, so a large photo is not starved by a stream of small
// ones.
type budget struct {
	size int64
	sem  *semaphore.Weighted
}

func newBudget(size int64) *budget {
	return &budget{size: size, sem: semaphore.NewWeighted(size)}
}

// acquire waits until n bytes are free, or ctx is done, and returns the
// amount actually held, which must be passed to release. A request larger
// than the whole budget is clamped to it, since semaphore.Weighted would
// make it wait for ctx however empty the budget: such a photo waits for
// the budget to drain and then runs alone, rather than never.
func (b *budget) acquire(ctx context.Context, n int64) (int64, error) {
	n = max(0, min(n, b.size))
	if err := b.sem.Acquire(ctx, n); err != nil {
		return 0, err
	}
	return n, nil
}

// release returns n bytes obtained from acquire.
func (b *budget) release(n int64) { b.sem.Release(n) }
