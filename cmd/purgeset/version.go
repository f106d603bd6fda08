package main

import (
	"runtime"
	"runtime/debug"

	"github.com/purgeset/purgeset/writers"
)

// version and commit are set at build time (make build, make dist) with -ldflags
// "-X main.version=… -X main.commit=…"; otherwise the module version and VCS revision
// from the build info, or "dev". Release builds stamp commit themselves and leave the
// build info's VCS fields out, so that they do not depend on a .git being present.
var version, commit = "", ""

func toolInfo() writers.Tool {
	t := writers.Tool{Name: "purgeset", Version: version, Commit: commit, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if t.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			t.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && t.Commit == "" {
				t.Commit = s.Value
			}
		}
	}
	if t.Version == "" {
		t.Version = "dev"
	}
	return t
}
