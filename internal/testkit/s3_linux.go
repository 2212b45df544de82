package testkit

import "syscall"

// dieWithParent makes the kernel kill the S3 server when the test binary
// dies without running its clean-ups (a timeout's panic, a kill), so no
// server outlives its tests.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
