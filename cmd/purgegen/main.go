package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/purgeset/purgeset/fixtures/gen"
)

const usage = `usage:
  purgegen -rows N -format csv|tsv|tsv16|xlsx -seed S [-damage] -out FILE
  purgegen -sample DIR

The same -seed and -rows give the same records in every format and the same
bytes on every run. -out - writes a text format to standard output.
-sample DIR rewrites users-sample.csv, users-sample.xlsx and protect-fines.csv
in DIR (the bundled fixtures: go run ./cmd/purgegen -sample fixtures).

`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("purgegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	rows := fs.Int("rows", 1000, "number of data rows, header excluded")
	format := fs.String("format", "csv", "csv | tsv | tsv16 | xlsx")
	seed := fs.Uint64("seed", 1, "random seed")
	damage := fs.Bool("damage", false, "add ~1% Excel damage, placeholder IDs, impossible dates and a trailing Total row")
	out := fs.String("out", "", "output file (- for standard output, text formats only)")
	sample := fs.String("sample", "", "write the bundled sample fixtures into this directory instead")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "purgegen: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *sample != "" {
		if err := gen.WriteSample(*sample); err != nil {
			fmt.Fprintln(stderr, "purgegen:", err)
			return 1
		}
		return 0
	}
	if *out == "" || *rows < 0 {
		fs.Usage()
		return 2
	}
	opts := gen.Options{Rows: *rows, Seed: *seed, Format: *format, Damage: *damage}
	switch opts.Format {
	case "csv", "tsv", "tsv16", "xlsx":
	default:
		fmt.Fprintf(stderr, "purgegen: unknown -format %q (want csv, tsv, tsv16 or xlsx)\n", opts.Format)
		return 2
	}
	if err := write(*out, opts, stdout); err != nil {
		fmt.Fprintln(stderr, "purgegen:", err)
		return 1
	}
	return 0
}

func write(path string, opts gen.Options, stdout io.Writer) (err error) {
	switch opts.Format {
	case "xlsx":
		if path == "-" {
			return errors.New("xlsx cannot go to standard output: name a file with -out")
		}
		return gen.WriteXLSX(path, opts)
	case "csv", "tsv", "tsv16":
	default:
		return fmt.Errorf("unknown -format %q (want csv, tsv, tsv16 or xlsx)", opts.Format)
	}
	if path == "-" {
		return gen.Write(stdout, opts)
	}
	return gen.WriteFile(path, opts)
}
