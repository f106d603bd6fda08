package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

const usage = `usage:
  purgedist archive -o ARCHIVE -prefix DIR -mtime EPOCH [-exec NAME,...] ENTRY...
  purgedist sums DIR

archive writes ARCHIVE (.tar.gz or .zip) holding each ENTRY under DIR/. An ENTRY is a
file PATH (stored as PATH) or NAME=PATH (stored as NAME); a directory PATH is stored
with every file below it. Every entry gets the time EPOCH (seconds since 1970, e.g.
git log -1 --format=%ct), owner 0 and mode 0644, or 0755 for the NAMEs of -exec.
sums writes DIR/SHA256SUMS for the .tar.gz and .zip files in DIR, in the format of
sha256sum, so that "sha256sum -c SHA256SUMS" checks them.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		io.WriteString(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "archive":
		err = archiveCommand(args[1:])
	case "sums":
		if len(args) != 2 {
			err = usageError("sums takes one directory")
		} else {
			err = writeSums(args[1])
		}
	default:
		err = usageError(fmt.Sprintf("unknown command %q", args[0]))
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "purgedist: %s\n%s", ue, usage)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "purgedist: %v\n", err)
		return 1
	}
	return 0
}

type usageError string

func (e usageError) Error() string { return string(e) }

func archiveCommand(args []string) error {
	fs := flag.NewFlagSet("archive", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("o", "", "")
	prefix := fs.String("prefix", "", "")
	mtime := fs.Int64("mtime", -1, "")
	execNames := fs.String("exec", "", "")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *out == "" || *prefix == "" || *mtime < 0 || fs.NArg() == 0 {
		return usageError("archive needs -o, -prefix, -mtime and at least one entry")
	}
	if strings.ContainsAny(*prefix, `/\`) {
		return usageError("-prefix is one folder name")
	}
	exec := map[string]bool{}
	for _, n := range strings.Split(*execNames, ",") {
		if n != "" {
			exec[n] = true
		}
	}
	entries, err := collect(*prefix, fs.Args(), exec)
	if err != nil {
		return err
	}
	return writeArchive(*out, entries, time.Unix(*mtime, 0).UTC())
}
