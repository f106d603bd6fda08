package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/purgeset/purgeset/pipeline"
	"github.com/purgeset/purgeset/readers"
)

// configKey is one key of the config file: the flag it stands for, what its value must
// be in the user's words, and how it is stored. Each key is listed here by hand, so a
// reader can check every key against SPEC §1 and §8.
type configKey struct {
	key, flag string
	want      string                          // e.g. `text, e.g. cutoff = "2024-07-01"`
	set       func(o *runOptions, v any) bool // false when v is of the wrong kind
}

var configKeys = []configKey{
	{"inputs", "", `a list of file names in quotes, e.g. inputs = ["users.csv"]`, setStrings(func(o *runOptions) *[]string { return &o.Inputs })},
	{"cutoff", "cutoff", `a date in quotes, e.g. cutoff = "2024-07-01"`, setString(func(o *runOptions) *string { return &o.Cutoff })},
	{"groups", "group", `a list of user group names in quotes, e.g. groups = ["Alumni", "Graduates 2021"]`, setStrings(func(o *runOptions) *[]string { return &o.Groups })},
	{"all_groups", "all-groups", `true or false, e.g. all_groups = true`, setBool(func(o *runOptions) *bool { return &o.AllGroups })},
	{"record_types", "record-type", `a list of record types in quotes, e.g. record_types = ["Public"]`, setStrings(func(o *runOptions) *[]string { return &o.RecordTypes })},
	{"protect", "protect", `a list of file names in quotes, e.g. protect = ["fines.csv"]`, setStrings(func(o *runOptions) *[]string { return &o.Protect })},
	{"date_order", "date-order", `"mdy" or "dmy" in quotes, e.g. date_order = "dmy"`, setString(func(o *runOptions) *string { return &o.DateOrder })},
	{"accept_numeric_ids", "accept-numeric-ids", `true or false`, setBool(func(o *runOptions) *bool { return &o.AcceptNumericIDs })},
	{"id_pattern", "id-pattern", `a pattern in single quotes, e.g. id_pattern = '^(s[0-9]{7}|[0-9]{8})$'`, setString(func(o *runOptions) *string { return &o.IDPattern })},
	{"max_included", "max-included", `a whole number without quotes, e.g. max_included = 500`, setInt(func(o *runOptions) *int { return &o.MaxIncluded })},
	{"max_included_percent", "max-included-percent", `a number without quotes, e.g. max_included_percent = 12.5`, setFloat(func(o *runOptions) *float64 { return &o.MaxIncludedPercent })},
	{"split", "split", `a whole number without quotes, e.g. split = 100000`, setInt(func(o *runOptions) *int { return &o.Split })},
	{"set_format", "set-format", `"xlsx", "txt" or "both" in quotes`, setString(func(o *runOptions) *string { return &o.SetFormat })},
	{"set_header", "set-header", `text in quotes, e.g. set_header = "USERNAME"`, setString(func(o *runOptions) *string { return &o.SetHeader })},
	{"sheet", "sheet", `a sheet name in quotes`, setString(func(o *runOptions) *string { return &o.Sheet })},
	{"columns", "column", `a table of role = "header", e.g. columns = { expiry = "Expiry Date" }`, setColumns},
	{"archive_columns", "archive-column", `a list of column headers in quotes, e.g. archive_columns = ["Campus"]`, setStrings(func(o *runOptions) *[]string { return &o.ArchiveColumns })},
	{"no_review", "no-review", `true or false`, setBool(func(o *runOptions) *bool { return &o.NoReview })},
	{"no_archive", "no-archive", `true or false`, setBool(func(o *runOptions) *bool { return &o.NoArchive })},
	{"out", "out", `a folder name in quotes, e.g. out = "purge-2024-07"`, setString(func(o *runOptions) *string { return &o.Out })},
	{"force", "force", `true or false`, setBool(func(o *runOptions) *bool { return &o.Force })},
	{"dry_run", "dry-run", `true or false`, setBool(func(o *runOptions) *bool { return &o.DryRun })},
	{"allow_unmatched", "allow-unmatched", `true or false`, setBool(func(o *runOptions) *bool { return &o.AllowUnmatched })},
	{"allow_future_cutoff", "allow-future-cutoff", `true or false`, setBool(func(o *runOptions) *bool { return &o.AllowFutureCutoff })},
	{"operator", "operator", `a name in quotes, e.g. operator = "Ana Souza"`, setString(func(o *runOptions) *string { return &o.Operator })},
}

func setString(field func(*runOptions) *string) func(*runOptions, any) bool {
	return func(o *runOptions, v any) bool {
		s, ok := v.(string)
		if ok {
			*field(o) = s
		}
		return ok
	}
}

func setStrings(field func(*runOptions) *[]string) func(*runOptions, any) bool {
	return func(o *runOptions, v any) bool {
		list, ok := v.([]any)
		if !ok {
			return false
		}
		out := make([]string, 0, len(list))
		for _, x := range list {
			s, ok := x.(string)
			if !ok {
				return false
			}
			out = append(out, s)
		}
		*field(o) = out
		return true
	}
}

func setBool(field func(*runOptions) *bool) func(*runOptions, any) bool {
	return func(o *runOptions, v any) bool {
		b, ok := v.(bool)
		if ok {
			*field(o) = b
		}
		return ok
	}
}

func setInt(field func(*runOptions) *int) func(*runOptions, any) bool {
	return func(o *runOptions, v any) bool {
		n, ok := v.(int64)
		if ok && int64(int(n)) == n {
			*field(o) = int(n)
			return true
		}
		return false
	}
}

func setFloat(field func(*runOptions) *float64) func(*runOptions, any) bool {
	return func(o *runOptions, v any) bool {
		switch n := v.(type) {
		case float64:
			*field(o) = n
		case int64:
			*field(o) = float64(n)
		default:
			return false
		}
		return true
	}
}

func setColumns(o *runOptions, v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	cols := map[string]string{}
	for role, h := range m {
		s, ok := h.(string)
		if !ok {
			return false
		}
		cols[strings.TrimSpace(role)] = strings.TrimSpace(s)
	}
	o.Columns = cols
	return true
}

// maxConfigBytes caps a config file: a few lines of TOML, never /dev/zero or a
// runaway file (1 MiB leaves room for long group lists; the fault tests use 300 KB).
const maxConfigBytes = 1 << 20

// loadConfig reads a TOML config file into o and returns the keys it set. Unknown keys
// are errors: a misspelt "max_included" silently ignored would remove a safety net.
// Relative paths in the file are taken from the file's own directory, so the file
// works from anywhere. Every message names the file and the key in the user's words,
// not the TOML library's.
func loadConfig(path string, o *runOptions) (map[string]bool, error) {
	b, err := readers.ReadSmallFile(path, path, maxConfigBytes)
	if errors.Is(err, readers.ErrInput) {
		return nil, err // a pipe, a device or a huge file: exit 3, with what to do
	} else if err != nil {
		return nil, usagef("--config %s: cannot read it: %v", path, pathErrText(err))
	}
	var raw map[string]any
	md, err := toml.Decode(string(b), &raw)
	if err != nil {
		return nil, configSyntaxError(path, err)
	}
	set := map[string]bool{}
	for _, k := range md.Keys() {
		if len(k) != 1 {
			continue // keys inside a table: reported with the table
		}
		name := k[0]
		v := raw[name]
		ck, ok := lookupConfigKey(name)
		if !ok {
			return nil, unknownConfigKey(path, name, v)
		}
		if !ck.set(o, v) {
			return nil, usagef("--config %s: key %q: want %s, found %s", path, name, ck.want, tomlKind(v))
		}
		set[name] = true
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
	return set, nil
}

func lookupConfigKey(name string) (configKey, bool) {
	for _, k := range configKeys {
		if k.key == name {
			return k, true
		}
	}
	return configKey{}, false
}

// configKeyNames lists the keys a config file may hold.
func configKeyNames() []string {
	keys := make([]string, len(configKeys))
	for i, k := range configKeys {
		keys[i] = k.key
	}
	return keys
}

// unknownConfigKey names the key, suggests the one meant, and lists them all.
func unknownConfigKey(path, name string, v any) error {
	if table, ok := v.(map[string]any); ok && name != "columns" {
		var inner []string
		for k := range table {
			inner = append(inner, name+"."+k)
		}
		sort.Strings(inner)
		return usagef("--config %s: unknown key %s: the file has no [%s] table; write every key at the top level, before any [table] line, e.g. max_included = 500; the keys are %s",
			path, strings.Join(inner, ", "), name, strings.Join(configKeyNames(), ", "))
	}
	hint := ""
	if s := suggestConfigKey(name); s != "" {
		hint = fmt.Sprintf(" (did you mean %s?)", s)
	}
	return usagef("--config %s: unknown key %s%s; the keys are %s", path, name, hint, strings.Join(configKeyNames(), ", "))
}

// suggestConfigKey is the key meant by a near miss: a flag name written as a key
// (record-type, group), a different case, or a key within two edits.
func suggestConfigKey(name string) string {
	norm := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
	best, bestDist := "", maxFlagDistance+1
	for _, k := range configKeys {
		if k.flag != "" && (name == k.flag || norm == strings.ReplaceAll(k.flag, "-", "_")) {
			return k.key
		}
		if d := pipeline.EditDistance(norm, k.key); d < bestDist {
			best, bestDist = k.key, d
		}
	}
	return best
}

// tomlKind says what a TOML value is, in words.
func tomlKind(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the text %q", x)
	case int64:
		return fmt.Sprintf("the whole number %d", x)
	case float64:
		return fmt.Sprintf("the number %g", x)
	case bool:
		return fmt.Sprintf("%t", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date without quotes (TOML reads it as a date, not as text)"
	}
	return "a value of another kind"
}

// configSyntaxError reports a file that is not TOML at all, with its line.
func configSyntaxError(path string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		where := ""
		if pe.LastKey != "" {
			where = fmt.Sprintf(" (at key %q)", pe.LastKey)
		}
		return usagef("--config %s line %d%s: this is not valid TOML: %s; text goes in \"double quotes\", lists in [square brackets], e.g. groups = [\"Alumni\"]",
			path, pe.Position.Line, where, pe.Message)
	}
	return usagef("--config %s: cannot read it as TOML: %v", path, err)
}

func pathErrText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
