// Package writers stages every output file of a run in a private directory and moves
// them into place only when the whole run succeeded, manifest.json last.
package writers
