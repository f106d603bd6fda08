package main

import (
	"runtime"
	"runtime/debug"

	"github.com/purgeset/purgeset/writers"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise the module
// version from the build info, or "dev".
var version = ""

func toolInfo() writers.Tool {
	t := writers.Tool{Name: "purgeset", Version: version, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if t.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			t.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				t.Commit = s.Value
			}
		}
	}
	if t.Version == "" {
		t.Version = "dev"
	}
	return t
}
