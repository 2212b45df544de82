package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// buildVersion says which Lintel this is, from what the Go toolchain
// records in the binary: the module version when installed from a tag,
// else the commit it was built from (with "+changes" when the tree had
// uncommitted changes), and the Go version.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (built without module information)"
	}
	version := info.Main.Version
	var rev, when string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var b strings.Builder
	switch {
	case version != "" && version != "(devel)":
		b.WriteString(version)
	case rev != "":
		if len(rev) > 12 {
			rev = rev[:12]
		}
		b.WriteString("commit " + rev)
		if modified {
			b.WriteString("+changes")
		}
		if when != "" {
			b.WriteString(" (" + when + ")")
		}
	default:
		b.WriteString("development build")
	}
	b.WriteString(", " + info.GoVersion)
	return b.String()
}

// cmdVersion handles "lintel version".
func cmdVersion(stdout io.Writer) error {
	_, err := fmt.Fprintln(stdout, "lintel "+buildVersion())
	return err
}
