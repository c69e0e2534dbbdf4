/* thrash: a working set of file pages. Maps the first MIB MiB of FILE and
 * reads one byte of a random page of it, forever. Every page is hot (read
 * again and again), so when anonymous memory leaves a little less room than
 * MIB, evicted pages come back as workingset refaults: the kernel counts
 * that as memory pressure (PSI) while MemAvailable still looks healthy.
 *
 *   thrash FILE MIB
 * Prints "@@THRASH second=N reads=R" each second (how fast it still goes). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t bytes, pages;
	unsigned long seed = 12345, reads = 0, sum = 0;
	const volatile unsigned char *p;
	double t0 = mono_s(), next = 1;
	long second = 0;
	int fd;

	if (argc != 3 || (fd = open(argv[1], O_RDONLY)) < 0) {
		perror(argc == 3 ? argv[1] : "usage: thrash FILE MIB");
		return 2;
	}
	bytes = (size_t)atol(argv[2]) << 20;
	pages = bytes / 4096;
	p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || pages == 0)
		return 2;
	madvise((void *)p, bytes, MADV_RANDOM);
	setvbuf(stdout, NULL, _IONBF, 0);
	for (;;) {
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		sum += p[((seed >> 33) % pages) * 4096];
		if (++reads % 256 == 0 && mono_s() - t0 >= next) {
			printf("@@THRASH second=%ld reads=%lu\n", ++second, reads);
			reads = 0;
			next += 1;
		}
	}
	return (int)sum;
}
