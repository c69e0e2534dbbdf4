/* heartbeat: wakes every 10 ms and records how late each wake-up was; the
 * worst lateness tells how responsive the machine stayed under pressure.
 * SIGUSR1 prints "@@HEARTBEAT worst_ms=.. over100=.. wakes=.." and starts a
 * new window; SIGTERM prints it and exits. Creates /tmp/heartbeat.ready once
 * its handlers are in place. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <time.h>

#define PERIOD_NS 10000000L

static volatile sig_atomic_t report, quit;

static void on_usr1(int sig) { (void)sig; report = 1; }
static void on_term(int sig) { (void)sig; quit = 1; }

static long long ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

int main(void)
{
	struct timespec next, now;
	long long worst_ns = 0, late;
	long wakes = 0, over100 = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGUSR1, on_usr1);
	signal(SIGTERM, on_term);
	close(open("/tmp/heartbeat.ready", O_WRONLY | O_CREAT, 0644));
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		next.tv_nsec += PERIOD_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		late = ns(&now) - ns(&next);
		wakes++;
		if (late > worst_ns)
			worst_ns = late;
		if (late > 100000000LL)
			over100++;
		if (late > PERIOD_NS) /* no burst of catch-up wakes after a stall */
			next = now;
		if (report || quit) {
			printf("@@HEARTBEAT worst_ms=%.1f over100=%ld wakes=%ld\n",
			       worst_ns / 1e6, over100, wakes);
			if (quit)
				return 0;
			report = 0;
			worst_ns = 0;
			over100 = 0;
			wakes = 0;
		}
	}
}
