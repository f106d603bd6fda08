// Package audit holds the commands that check and read back what run did or will do:
// verify, diff and reconcile read a run directory; inspect reads inputs through
// pipeline's first pass (pipeline.Scan), as run does, and writes nothing.
package audit
