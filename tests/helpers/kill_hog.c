/* kill_hog.c - a memory hog with the shapes oom_kill_process() must handle,
 * for tests/e2e/kill*.sh and bench/: N MiB of touched anonymous memory,
 * optional threads, a CLONE_VM child sharing the mm, a zombie leader whose
 * threads live on, a hostile comm, an oom_score_adj. Then it sleeps until
 * killed. Usage:
 *   kill_hog [--mb N] [--threads N] [--clone-vm] [--clone-name COMM] [--zombie-leader]
 *            [--name COMM] [--adj N] [--ready FILE] [--tag TEXT] [--ignore-term]
 * --clone-name names the CLONE_VM child (implies --clone-vm).
 * --ready FILE is created once everything is in place; --tag only puts
 * TEXT in the command line. */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int vm_child(void *arg)
{
	if (arg)
		prctl(PR_SET_NAME, arg);
	for (;;)
		pause();
	return 0;
}

static void set_adj(const char *adj)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);

	if (fd < 0 || write(fd, adj, strlen(adj)) < 0) {
		perror("oom_score_adj");
		exit(1);
	}
	close(fd);
}

static void fill(long mb)
{
	size_t len = (size_t)mb << 20;
	char *p;

	if (len == 0)
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
}

int main(int argc, char **argv)
{
	long mb = 0, threads = 0;
	int clone_vm = 0, zombie = 0;
	char *clone_name = NULL;
	const char *ready = NULL;
	pthread_t t;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mb") && i + 1 < argc)
			mb = atol(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atol(argv[++i]);
		else if (!strcmp(argv[i], "--clone-vm"))
			clone_vm = 1;
		else if (!strcmp(argv[i], "--zombie-leader"))
			zombie = 1;
		else if (!strcmp(argv[i], "--clone-name") && i + 1 < argc)
			clone_vm = 1, clone_name = argv[++i];
		else if (!strcmp(argv[i], "--name") && i + 1 < argc)
			prctl(PR_SET_NAME, argv[++i]);
		else if (!strcmp(argv[i], "--adj") && i + 1 < argc)
			set_adj(argv[++i]);
		else if (!strcmp(argv[i], "--ignore-term"))
			signal(SIGTERM, SIG_IGN);
		else if (!strcmp(argv[i], "--tag") && i + 1 < argc)
			i++;
		else if (!strcmp(argv[i], "--ready") && i + 1 < argc)
			ready = argv[++i];
		else {
			fprintf(stderr, "kill_hog: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	fill(mb);
	for (long i = 0; i < threads || (zombie && i < 1); i++)
		pthread_create(&t, NULL, sleeper, NULL);
	if (clone_vm) {
		size_t sz = 1 << 16;
		char *stack = malloc(sz);

		if (clone(vm_child, stack + sz, CLONE_VM | SIGCHLD, clone_name) < 0) {
			perror("clone");
			return 1;
		}
	}
	if (ready)
		close(open(ready, O_WRONLY | O_CREAT, 0644));
	if (zombie)
		pthread_exit(NULL);
	for (;;)
		pause();
}
