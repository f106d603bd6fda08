// Command purgedist writes the release archives of `make dist` (tar.gz, zip) and their
// SHA256SUMS so that the same commit gives the same bytes: entries sorted, one fixed time
// (the commit's), owner 0, modes 0755/0644 whatever the checkout's umask, gzip without a
// name or time. It is a build tool, not part of purgeset.
package main
