/* test_metrics.c - the Prometheus exposition: kill counters by (trigger,
 * unit), the selection histogram's cumulative buckets, memory/PSI/cgroup
 * gauges, hostile cgroup names escaped, overflow reported, atomic file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/publish/atomic_file.h"
#include "daemon/publish/metrics.h"
#include "core/util.h"

static struct metrics m;
static char out[65536];

static struct kill_record kill(const char *trigger, const char *unit, double when, unsigned long rss_kb,
			       double reclaim_seconds, bool dry_run)
{
	struct kill_record r = { .time_seconds = when, .rss_kb = rss_kb, .reclaim_seconds = reclaim_seconds,
				 .dry_run = dry_run };

	snprintf(r.trigger, sizeof(r.trigger), "%s", trigger);
	snprintf(r.unit, sizeof(r.unit), "%s", unit);
	return r;
}

static void fill(void)
{
	struct meminfo mi = { .mem_total_kb = 1000, .mem_available_kb = 250, .swap_free_kb = 0, .swap_total_kb = 0 };
	struct psi p = { .some = { 1.5, 2.25, 3, 1234567 }, .full = { 0.5, 0, 0, 42 }, .has_full = true };
	struct kill_record k1 = kill("psi full 40% 2s", "process", 1700000000.5, 64 << 10, 0.012, false);
	struct kill_record k2 = kill("memavailable 4.8% < 5%", "process", 1700000001.25, 32 << 10, -1, false);
	struct kill_record k3 = kill("PSI some", "cgroup", 1700000002, 1 << 10, 0.5, false);
	struct kill_record dry = kill("psi", "process", 1800000000, 1, 9, true);

	metrics_init(&m);
	metrics_record_kill(&m, &k1);
	metrics_record_kill(&m, &k2);
	metrics_record_kill(&m, &k1);
	metrics_record_kill(&m, &k3);
	metrics_record_kill(&m, &dry);
	metrics_observe_selection(&m, 0.00003);
	metrics_observe_selection(&m, 0.003);
	metrics_observe_selection(&m, 2.0);
	metrics_set_meminfo(&m, &mi);
	metrics_set_psi(&m, &p);
	metrics_set_cgroup(&m, "/sys/fs/cgroup/memory/a", 100, 200);
	metrics_set_cgroup(&m, "/sys/fs/cgroup/unified/b\"c\\d\n$(x)\xff", 5, UINT64_MAX);
	metrics_set_cgroup(&m, "/sys/fs/cgroup/memory/a", 150, 200);
}

static void test_render(void **state)
{
	long n;

	(void)state;
	fill();
	n = metrics_render(&m, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(out));
	assert_non_null(strstr(out, "oomkit_kills_total{trigger=\"psi\",unit=\"process\"} 2\n"));
	assert_non_null(strstr(out, "oomkit_kills_total{trigger=\"memavailable\",unit=\"process\"} 1\n"));
	assert_null(strstr(out, "trigger=\"PSI\""));
	assert_non_null(strstr(out, "oomkit_kills_total{trigger=\"psi\",unit=\"cgroup\"} 1\n"));
	assert_non_null(strstr(out, "oomkit_last_kill_timestamp_seconds 1700000002.000\n"));
	assert_non_null(strstr(out, "oomkit_dry_run_kills_total 1\n"));
	assert_non_null(strstr(out, "oomkit_last_victim_bytes 1048576\n"));
	assert_non_null(strstr(out, "oomkit_last_reclaim_seconds 0.500000\n"));
	/* cumulative buckets: 30 µs in the first, 3 ms from le=0.005 on, 2 s only in +Inf */
	assert_non_null(strstr(out, "oomkit_selection_seconds_bucket{le=\"5e-05\"} 1\n"));
	assert_non_null(strstr(out, "oomkit_selection_seconds_bucket{le=\"0.0025\"} 1\n"));
	assert_non_null(strstr(out, "oomkit_selection_seconds_bucket{le=\"0.005\"} 2\n"));
	assert_non_null(strstr(out, "oomkit_selection_seconds_bucket{le=\"1\"} 2\n"));
	assert_non_null(strstr(out, "oomkit_selection_seconds_bucket{le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(out, "oomkit_selection_seconds_count 3\n"));
	assert_non_null(strstr(out, "oomkit_memory_available_bytes 256000\n"));
	assert_non_null(strstr(out, "oomkit_swap_free_bytes 0\n"));
	assert_non_null(strstr(out, "oomkit_pressure_memory_ratio{kind=\"some\",window=\"60s\"} 0.0225\n"));
	assert_non_null(strstr(out, "oomkit_pressure_memory_stalled_seconds_total{kind=\"some\"} 1.234567\n"));
	assert_non_null(strstr(out, "oomkit_cgroup_memory_usage_bytes{cgroup=\"/sys/fs/cgroup/memory/a\"} 150\n"));
	assert_non_null(strstr(out, "oomkit_cgroup_memory_limit_bytes{cgroup=\"/sys/fs/cgroup/unified/b\\\"c\\\\\\\\d\\\\x0a$(x)\\\\xff\"} +Inf\n"));
	/* every line is a comment or "name[{labels}] value"; no raw control bytes */
	for (const char *p = out; *p; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
}

static void test_overflow(void **state)
{
	char small[100];

	(void)state;
	fill();
	assert_int_equal(metrics_render(&m, small, sizeof(small)), -ENOBUFS);
	assert_string_equal(small, "");
}

static void test_limits(void **state)
{
	char path[32];
	struct kill_record k = kill("", "", 1, 1, -1, false);

	(void)state;
	metrics_init(&m);
	for (int i = 0; i < METRICS_MAX_CGROUPS; i++) {
		snprintf(path, sizeof(path), "/cg%d", i);
		assert_int_equal(metrics_set_cgroup(&m, path, 1, 2), 0);
	}
	assert_int_equal(metrics_set_cgroup(&m, "/one-too-many", 1, 2), -ENOSPC);
	for (int i = 0; i < METRICS_MAX_KILL_SERIES + 3; i++) {
		snprintf(path, sizeof(path), "t%d", i);
		snprintf(k.trigger, sizeof(k.trigger), "%s", path);
		metrics_record_kill(&m, &k);
	}
	assert_int_equal(m.nr_kill_series, METRICS_MAX_KILL_SERIES);
	assert_int_equal(m.kills_dropped, 3);
	k.trigger[0] = '\0';
	metrics_record_kill(&m, &k);
	assert_int_equal(m.kills[0].count, 1);
}

static void test_write_file(void **state)
{
	char dir[] = "/tmp/oomkit-metrics-XXXXXX", path[128], back[64];
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/oomkit.prom", dir);
	umask(077);
	assert_int_equal(atomic_write_file(path, "a 1\n", 4, 0644), 0);
	assert_int_equal(atomic_write_file(path, "b 2\n", 4, 0644), 0);
	assert_int_equal(read_file_at(-100 /* AT_FDCWD */, path, back, sizeof(back)), 4);
	assert_string_equal(back, "b 2\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	unlink(path);
	snprintf(path, sizeof(path), "%s/missing/oomkit.prom", dir);
	assert_int_equal(atomic_write_file(path, "a 1\n", 4, 0644), -ENOENT);
	assert_int_equal(rmdir(dir), 0); /* no temporary file left behind */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_write_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
