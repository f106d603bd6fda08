//go:build cgo && linux

package main

/*
#include <malloc.h>

// glibc gives each thread its own malloc arena (on its first free, for the thread
// cache) and reserves 64 MB of address space for each. With cgo, which the net
// package's resolver brings in, purgeset's threads reserved about 450 MB that way, and
// the 1M-row run failed under ulimit -v 1048576 with 50 MB of Go heap in use. Only the
// runtime's thread start calls malloc here, so one arena costs nothing. A constructor,
// because glibc fixes the arena limit when it makes the second arena, which happens
// before any Go init runs.
__attribute__((constructor)) static void purgesetOneArena(void) {
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, 1);
#endif
}
*/
import "C"
