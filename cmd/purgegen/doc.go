// Command purgegen writes deterministic synthetic Alma Analytics "Users" exports for tests and benchmarks, and regenerates the bundled sample export.
package main
