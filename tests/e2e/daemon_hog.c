/* daemon_hog.c - the memory hog of the daemon's end-to-end tests.
 * usage: daemon_hog MiB [MiB_per_s] [ignore-term]
 * Touches MiB of anonymous memory (at full speed when MiB_per_s is 0),
 * then sleeps. With ignore-term it ignores SIGTERM. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	double rate = argc > 2 ? strtod(argv[2], NULL) : 0;
	const size_t chunk = 1 << 20;

	if (argc > 3 && !strcmp(argv[3], "ignore-term"))
		signal(SIGTERM, SIG_IGN);
	for (size_t i = 0; i < mib; i++) {
		char *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		memset(p, 0x5a, chunk);
		if (rate > 0) {
			struct timespec ts = { 0, (long)(1e9 / rate) };
			nanosleep(&ts, NULL);
		}
	}
	for (;;)
		pause();
}
