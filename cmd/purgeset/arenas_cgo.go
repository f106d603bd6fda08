//go:build cgo && linux

package main

/*
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>

// glibc gives each thread its own malloc arena (on its first free, for the thread
// cache) and reserves 64 MB of address space for each. With cgo, which the net
// package's resolver brings in, purgeset's threads reserved about 450 MB that way, and
// the 1M-row run failed under ulimit -v 1048576 with 50 MB of Go heap in use. Only the
// runtime's thread start calls malloc here, so one arena costs nothing. A constructor,
// because glibc fixes the arena limit when it makes the second arena, which happens
// before any Go init runs.
//
// Each thread the runtime starts through pthread also reserves a stack of RLIMIT_STACK
// (8 MB): 64 MB for the 8 threads of a 1M-row run, which left it about 50 MB under
// ulimit -v 1048576 and failed it now and then on a loaded machine (a 64 MB heap arena
// did not fit). Goroutines run on their own stacks; a thread's stack holds only the
// runtime's scheduler work (16 KB suffice without cgo) and the C calls of the resolver,
// so 2 MB is plenty.
__attribute__((constructor)) static void purgesetOneArena(void) {
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, 1);
#endif
	pthread_attr_t a;
	if (pthread_getattr_default_np(&a) == 0) {
		size_t size;
		if (pthread_attr_getstacksize(&a, &size) == 0 && size > (2 << 20)) {
			pthread_attr_setstacksize(&a, 2 << 20);
			pthread_setattr_default_np(&a);
		}
		pthread_attr_destroy(&a);
	}
}
*/
import "C"
