/* pause_procs.c - forks N processes that only wait, for bench/daemon.sh.
 * usage: pause_procs N [DISTINCT [TIED_MIB]]
 * Built -static, children forked with raw system calls and no address
 * randomisation: a child costs about the kernel's minimum for a process
 * (~75 kB here: task, kernel stack, 7 page-table pages, 2 stack pages).
 * N - DISTINCT children are identical. With TIED_MIB they all map that much
 * of the parent's anonymous memory (touched in transparent huge pages,
 * copy-on-write): each one's RSS and oom_badness is TIED_MIB while the
 * machine pays it once plus a page-table page per child, i.e. N identical
 * biggest processes (a fork bomb's shape: the worst case for a selection
 * that reads the ties at its cut). The last DISTINCT children map 1, 2, ..
 * DISTINCT MiB more: a top of distinct sizes above the identical ones.
 * The caller puts this process into its cgroups before it runs (children
 * inherit them). Prints "forked K" once done (K < N when fork failed, e.g.
 * at pids.max or the memory limit), then waits; children die with it
 * (PR_SET_PDEATHSIG). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MIB (1ul << 20)
#define HUGE_2M (2ul << 20)

/* Raw system calls only: glibc's fork() and wrappers write their own data
 * pages in the child (copy-on-write copies); these touch only the stack. */
static void child(pid_t parent)
{
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
	if (syscall(SYS_getppid) != parent) /* the parent died before prctl */
		syscall(SYS_exit, 0);
	for (;;)
		syscall(SYS_pause);
}

/* mib of anonymous memory, 2 MiB aligned (THP when huge), untouched. */
static char *map(unsigned long mib, int huge)
{
	size_t len = mib * MIB;
	char *p = mmap(NULL, len + HUGE_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p = (char *)(((unsigned long)p + HUGE_2M - 1) & ~(HUGE_2M - 1));
	madvise(p, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

/* Forks until k reaches n; returns k (smaller when fork failed). */
static long fork_to(long k, long n, pid_t self)
{
	for (; k < n; k++) {
		pid_t pid = (pid_t)syscall(SYS_fork);

		if (pid == 0)
			child(self);
		if (pid < 0) {
			fprintf(stderr, "pause_procs: fork %ld: %s\n", k, strerror(errno));
			break;
		}
	}
	return k;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0, k = 0;
	long distinct = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	unsigned long tied_mib = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
	pid_t self = getpid();
	char *p;

	/* without address randomisation the heap shares the program's last
	 * page-table page and the stack the vdso's upper levels: each child
	 * copies 3 page-table pages fewer (75 kB instead of 86) */
	if (!(personality(0xffffffff) & ADDR_NO_RANDOMIZE) && personality(ADDR_NO_RANDOMIZE) >= 0)
		execv("/proc/self/exe", argv);
	if (n <= 0 || distinct < 0 || distinct > n) {
		fprintf(stderr, "usage: pause_procs N [DISTINCT [TIED_MIB]]\n");
		return 2;
	}
	if (tied_mib) {
		if (!(p = map(tied_mib, 1)))
			goto nomem;
		memset(p, 1, tied_mib * MIB);
	}
	k = fork_to(0, n - distinct, self);
	if (k == n - distinct && distinct) {
		if (!(p = map((unsigned long)distinct, 0)))
			goto nomem;
		for (long i = 0; i < distinct && k == n - distinct + i; i++) {
			memset(p + i * MIB, 1, MIB);
			k = fork_to(k, k + 1, self);
		}
	}
	printf("forked %ld\n", k);
	fflush(stdout);
	for (;;)
		pause();
nomem:
	perror("pause_procs: mmap");
	return 1;
}
