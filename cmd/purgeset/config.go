package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// loadConfig reads a TOML config file into o. Unknown keys are errors: a misspelt
// "max_included" silently ignored would remove a safety net. Relative paths in the
// file are taken from the file's own directory, so the file works from anywhere.
func loadConfig(path string, o *runOptions) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return usagef("--config %s: cannot read it: %v", path, err)
	}
	md, err := toml.Decode(string(b), o)
	if err != nil {
		return usagef("--config %s: %v", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return usagef("--config %s: unknown key %s; see `purgeset help run` for the option names (written with _ instead of -)", path, strings.Join(keys, ", "))
	}
	base := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	for i := range o.Protect {
		o.Protect[i] = rel(o.Protect[i])
	}
	for i := range o.Inputs {
		o.Inputs[i] = rel(o.Inputs[i])
	}
	o.Out = rel(o.Out)
	sum := sha256.Sum256(b)
	o.Config, o.ConfigSHA256 = path, hex.EncodeToString(sum[:])
	return nil
}
