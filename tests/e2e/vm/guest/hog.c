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
 *   HOG_READY=FILE     create FILE once LIMIT_MIB is held (hold mode)
 *   HOG_UID=N          run as uid and gid N (a non-root task; the guest has
 *                      no passwd file for busybox su)
 *   HOG_ENOMEM_FILE=F  a failed malloc (ENOMEM: vm.overcommit_memory=2 at
 *                      CommitLimit) is counted into F and retried 50 ms
 *                      later, instead of ending the hog
 * Prints "@@HOG ..." lines on stdout (the guest's user channel). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "uptime.h"

/* as_uid: drops root for uid/gid N (oom_score_adj is kept across setuid) */
static int as_uid(const char *uid)
{
	uid_t id = (uid_t)atol(uid);

	if (setgroups(0, NULL) || setresgid(id, id, id) || setresuid(id, id, id)) {
		perror("hog: HOG_UID");
		return -1;
	}
	return 0;
}

/* The ENOMEM count so far, rewritten into path at each failure. */
static void count_enomem(const char *path, long *count, long mib)
{
	FILE *f = fopen(path, "w");

	++*count;
	if (f) {
		fprintf(f, "%ld\n", *count);
		fclose(f);
	}
	if (*count == 1)
		printf("@@HOG pid=%d ENOMEM at %ld MiB uptime=%.3f\n", (int)getpid(), mib, uptime_s());
	usleep(50 * 1000);
}

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
	const char *enomem_file = getenv("HOG_ENOMEM_FILE");
	long mib, enomem = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (name)
		prctl(PR_SET_NAME, name);
	if (getenv("HOG_UID") && as_uid(getenv("HOG_UID")))
		return 2;
	if (getenv("HOG_IGNORE_TERM"))
		signal(SIGTERM, SIG_IGN);
	printf("@@HOG pid=%d start limit=%ld mode=%s rate_ms=%ld uptime=%.3f\n",
	       (int)getpid(), limit, mode, sleep_ms, uptime_s());
	for (mib = 1; limit == 0 || mib <= limit; mib++) {
		char *p = malloc(1 << 20);

		if (!p && enomem_file) {
			count_enomem(enomem_file, &enomem, mib--);
			continue;
		}
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
	if (getenv("HOG_READY"))
		close(open(getenv("HOG_READY"), O_WRONLY | O_CREAT, 0644));
	if (strncmp(mode, "dio:", 4) == 0)
		dio_forever(mode + 4);
	for (;;)
		pause();
}
