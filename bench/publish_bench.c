/* publish_bench.c - what publishing costs the daemon's loop: the hand-over
 * of a state sample (publisher_sample) and of a kill record
 * (publisher_kill) to the publisher thread, which does all the I/O.
 * Built by `make bench-publish`; figures in bench/publish.md. */
#include <stdio.h>
#include <string.h>

#include "daemon/publish/publish.h"
#include "core/util.h"

#define N 100000

static struct publisher p;
static struct status_view v;
static struct kill_record r;

int main(void)
{
	struct publish_config c = { 0 };
	char why[128];
	uint64_t t0, t1, t2;

	if (publisher_start(&p, &c, why, sizeof(why))) {
		fprintf(stderr, "publisher: %s\n", why);
		return 1;
	}
	v.pid = 1;
	v.nr_triggers = 4;
	v.nr_last_kills = STATUS_LAST_KILLS;
	t0 = now_ns();
	for (int i = 0; i < N; i++)
		publisher_sample(&p, &v);
	t1 = now_ns();
	for (int i = 0; i < N; i++)
		publisher_kill(&p, &r);
	t2 = now_ns();
	publisher_stop(&p);
	printf("status_view %zu bytes: publisher_sample %.2f us/call\n", sizeof(v), (double)(t1 - t0) / N / 1e3);
	printf("kill_record %zu bytes: publisher_kill %.2f us/call\n", sizeof(r), (double)(t2 - t1) / N / 1e3);
	return 0;
}
