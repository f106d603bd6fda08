package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
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
		hint := ""
		if strings.Contains(err.Error(), "time.") {
			hint = `; write dates in quotes, e.g. cutoff = "2024-07-01"`
		}
		return usagef("--config %s: %v%s", path, err, hint)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return usagef("--config %s: unknown key %s; the keys are %s", path, strings.Join(keys, ", "), strings.Join(configKeys(), ", "))
	}
	// A "columns" that is not a table decodes into nothing without an error: refuse it
	// rather than run with the default columns.
	if md.IsDefined("columns") && md.Type("columns") != "Hash" {
		return usagef(`--config %s: columns must be a table, e.g. columns = { expiry = "Expiry" }`, path)
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

// configKeys lists the keys a config file may hold, from the toml tags.
func configKeys() []string {
	var keys []string
	t := reflect.TypeOf(runOptions{})
	for i := 0; i < t.NumField(); i++ {
		if k := t.Field(i).Tag.Get("toml"); k != "" && k != "-" {
			keys = append(keys, k)
		}
	}
	return keys
}
