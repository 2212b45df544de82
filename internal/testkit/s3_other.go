//go:build !linux

package testkit

import "syscall"

// dieWithParent has no portable equivalent of Linux's parent-death signal:
// elsewhere the clean-ups alone stop the S3 server.
func dieWithParent() *syscall.SysProcAttr { return nil }
