//go:build !unix

package photo

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
