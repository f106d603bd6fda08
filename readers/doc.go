// Package readers turns export files (CSV, TSV, UTF-16 text, XLSX) into rows of cells
// that know where they came from, without loading a file whole.
package readers
