/* hog: grows anonymous memory 1 MiB at a time (malloc + memset) until it is
 * killed or reaches LIMIT_MIB, then optionally holds it.
 *
 *   hog [LIMIT_MIB [hold | dio:BLOCKDEV]]
 *     LIMIT_MIB 0 or absent  grow until killed
 *     hold                   after LIMIT_MIB, sleep forever (a big resident task)
 *     dio:BLOCKDEV           after LIMIT_MIB, O_DIRECT-write BLOCKDEV forever: on a
 *                            throttled disk the task sits in D state, so SIGKILL
 *                            cannot make it exit and the oom_reaper must act
 *   HOG_NAME=BYTES     comm (prctl PR_SET_NAME: any 15 bytes, hostile ones too)
 *   HOG_RATE_MS=N      sleep N ms after each MiB (a realistic leak, not a burst)
 *   HOG_IGNORE_TERM=1  ignore SIGTERM (a victim that only SIGKILL stops)
 * Prints "@@HOG ..." lines on stdout (the guest's user channel). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "uptime.h"

static void dio_forever(const char *dev)
{
	void *buf;
	int fd = open(dev, O_WRONLY | O_DIRECT);

	if (fd < 0 || posix_memalign(&buf, 4096, 1 << 20)) {
		perror(dev);
		return;
	}
	memset(buf, 0xa5, 1 << 20);
	printf("@@HOG pid=%d O_DIRECT writes to %s\n", (int)getpid(), dev);
	for (;;)
		if (pwrite(fd, buf, 1 << 20, 0) < 0)
			return;
}

int main(int argc, char **argv)
{
	long limit = argc > 1 ? atol(argv[1]) : 0;
	const char *mode = argc > 2 ? argv[2] : "";
	const char *name = getenv("HOG_NAME");
	const char *rate = getenv("HOG_RATE_MS");
	long sleep_ms = rate ? atol(rate) : 0;
	long mib;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (name)
		prctl(PR_SET_NAME, name);
	if (getenv("HOG_IGNORE_TERM"))
		signal(SIGTERM, SIG_IGN);
	printf("@@HOG pid=%d start limit=%ld mode=%s rate_ms=%ld uptime=%.3f\n",
	       (int)getpid(), limit, mode, sleep_ms, uptime_s());
	for (mib = 1; limit == 0 || mib <= limit; mib++) {
		char *p = malloc(1 << 20);

		if (!p) {
			printf("@@HOG pid=%d malloc failed at %ld MiB\n", (int)getpid(), mib);
			return 2;
		}
		memset(p, (int)(mib & 0x7f) | 1, 1 << 20);
		/* gcc -O2 deletes a memset whose memory is never read: keep it */
		__asm__ volatile("" : : "r"(p) : "memory");
		if (sleep_ms)
			usleep(sleep_ms * 1000);
	}
	printf("@@HOG pid=%d holds %ld MiB uptime=%.3f\n", (int)getpid(), limit, uptime_s());
	if (strncmp(mode, "dio:", 4) == 0)
		dio_forever(mode + 4);
	for (;;)
		pause();
}
