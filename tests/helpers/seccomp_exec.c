/* seccomp_exec.c - test harness: applies a system-call allow-list the way
 * systemd applies SystemCallFilter= (native architecture only, anything
 * else kills the whole process with SIGSYS), then execs a command.
 *
 *   seccomp_exec [--errno] LIST -- CMD [ARG...]   run CMD under the filter
 *   seccomp_exec LIST --probe NAME...   call each syscall with invalid
 *                                       arguments: returns = allowed,
 *                                       SIGSYS = denied
 * --errno: a denied call fails with EPERM instead, as with the unit's
 * SystemCallErrorNumber=EPERM.
 *
 * LIST holds one syscall name per line (groups already expanded, see
 * tests/e2e/seccomp_kill.sh); names unknown to this architecture are
 * skipped, as systemd does. */
#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int load_filter(const char *list, bool eperm)
{
	char line[128];
	int n = 0, rc;
	FILE *f = fopen(list, "r");
	scmp_filter_ctx ctx = seccomp_init(eperm ? SCMP_ACT_ERRNO(EPERM) : SCMP_ACT_KILL_PROCESS);

	if (!f || !ctx) {
		fprintf(stderr, "seccomp-exec: %s: %s\n", list, strerror(errno));
		return -1;
	}
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	while (fgets(line, sizeof(line), f)) {
		int nr;

		line[strcspn(line, " \t\r\n#")] = '\0';
		if (!line[0])
			continue;
		nr = seccomp_syscall_resolve_name(line);
		if (nr == __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0) {
			fprintf(stderr, "seccomp-exec: %s: %s\n", line, strerror(-rc));
			return -1;
		}
		n++;
	}
	fclose(f);
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		fprintf(stderr, "seccomp-exec: load: %s\n", strerror(-rc));
		return -1;
	}
	return n;
}

static int probe(char **names)
{
	for (; *names; names++) {
		int nr = seccomp_syscall_resolve_name(*names);

		if (nr == __NR_SCMP_ERROR) {
			fprintf(stderr, "seccomp-exec: unknown syscall %s\n", *names);
			return 2;
		}
		/* -1 everywhere: an invalid fd, pid, flag or signal for every
		 * probed call, so each fails with an errno, having done nothing. */
		syscall(nr, -1L, -1L, -1L, -1L, -1L, -1L);
		printf("allowed %s\n", *names);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	bool eperm = argc > 1 && !strcmp(argv[1], "--errno");

	if (eperm) {
		argc--;
		argv++;
	}
	if (argc < 4 || (strcmp(argv[2], "--") && strcmp(argv[2], "--probe"))) {
		fprintf(stderr, "usage: seccomp_exec [--errno] LIST -- CMD [ARG...] | seccomp_exec LIST --probe NAME...\n");
		return 2;
	}
	if (load_filter(argv[1], eperm) < 0)
		return 1;
	if (!strcmp(argv[2], "--probe"))
		return probe(argv + 3);
	execvp(argv[3], argv + 3);
	fprintf(stderr, "seccomp-exec: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
