/* forkbomb [GENERATIONS]: every process touches CHILD_KIB of memory and
 * forks two children, forever: the process count doubles until memory (or
 * the cgroup's pids.max) runs out. comm is "bomb". Failed forks are
 * retried. With GENERATIONS the copies of the last generation fork no
 * more: 2^(GENERATIONS+1)-1 processes (the host tests' bounded bomb). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define CHILD_KIB 512

int main(int argc, char **argv)
{
	int made = 0, left = argc > 1 ? atoi(argv[1]) : -1;
	char *p;

	prctl(PR_SET_NAME, "bomb");
	p = malloc(CHILD_KIB * 1024);
	if (p) {
		memset(p, 0x5a, CHILD_KIB * 1024);
		__asm__ volatile("" : : "r"(p) : "memory"); /* keep the stores */
	}
	while (made < 2 && left != 0) {
		pid_t pid = fork();

		if (pid == 0) {
			made = 0;
			left = left > 0 ? left - 1 : left;
			p = malloc(CHILD_KIB * 1024);
			if (p) {
				memset(p, 0x5a, CHILD_KIB * 1024);
				__asm__ volatile("" : : "r"(p) : "memory");
			}
			continue;
		}
		if (pid > 0)
			made++;
		else
			usleep(10000);
	}
	for (;;)
		pause();
}
