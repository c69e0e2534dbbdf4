/* metrics_sample.c - test helper: fills struct metrics with known values
 * (live /proc/meminfo and PSI, kills, selections, a hostile cgroup name)
 * and writes the exposition file atomically, for tests/e2e/metrics.sh to
 * parse with the Prometheus client's own parser.
 *   metrics-sample FILE */
#include <stdio.h>
#include <stdint.h>

#include "core/mem.h"
#include "daemon/publish/atomic_file.h"
#include "daemon/publish/metrics.h"

static struct metrics m;
static char text[65536];

int main(int argc, char **argv)
{
	struct meminfo mi = { .mem_total_kb = 2048, .mem_available_kb = 1024, .swap_free_kb = 512, .swap_total_kb = 1024 };
	struct psi p = { .some = { 12.5, 6.25, 1.0, 2500000 }, .full = { 3.0, 1.5, 0.25, 1000000 }, .has_full = true };
	struct kill_record k = { .trigger = "memavailable 4.8% < 5%", .unit = "process", .time_seconds = 1700000000.0,
				 .rss_kb = 120563, .reclaim_seconds = 0.25 };
	long n;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: metrics-sample FILE\n");
		return 2;
	}
	metrics_init(&m);
	metrics_record_kill(&m, &k);
	metrics_record_kill(&m, &k);
	snprintf(k.trigger, sizeof(k.trigger), "psi full 40%% 2s");
	snprintf(k.unit, sizeof(k.unit), "cgroup");
	metrics_record_kill(&m, &k);
	metrics_observe_selection(&m, 0.0004);
	metrics_observe_selection(&m, 0.02);
	metrics_set_meminfo(&m, &mi);
	metrics_set_psi(&m, &p);
	metrics_set_cgroup(&m, "/sys/fs/cgroup/memory/kubepods/burstable/pod1", 1000, 4096);
	metrics_set_cgroup(&m, "/sys/fs/cgroup/memory/we\"ird\\ name\n$(touch x)\xff", 7, UINT64_MAX);
	n = metrics_render(&m, text, sizeof(text));
	if (n < 0) {
		fprintf(stderr, "metrics-sample: render: %ld\n", n);
		return 1;
	}
	r = atomic_write_file(argv[1], text, (size_t)n, 0644);
	if (r < 0) {
		fprintf(stderr, "metrics-sample: %s: error %d\n", argv[1], r);
		return 1;
	}
	return 0;
}
