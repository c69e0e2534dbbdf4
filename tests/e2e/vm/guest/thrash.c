/* thrash: reads FILE (a block device or file, through the page cache) from
 * start to end, over and over: a working set of file pages. When anonymous
 * memory leaves less room than FILE, every pass re-reads it from disk and
 * the whole machine stalls on page cache refaults.
 * Prints "@@THRASH pass=N secs=S" after each pass. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
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
	static char buf[1 << 16];
	long pass = 0;
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0) {
		perror(argc == 2 ? argv[1] : "usage: thrash FILE");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	for (;;) {
		double t0 = mono_s();
		off_t off = 0;
		ssize_t n;

		while ((n = pread(fd, buf, sizeof(buf), off)) > 0)
			off += n;
		printf("@@THRASH pass=%ld secs=%.2f\n", ++pass, mono_s() - t0);
	}
}
