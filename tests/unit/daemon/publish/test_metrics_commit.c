/* test_metrics_commit.c - CommitLimit and Committed_AS as metrics
 * (oomkit_commit_limit_bytes, oomkit_committed_as_bytes, in bytes), and
 * no such series when meminfo has neither. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/publish/metrics.h"

static void commit_series(void **state)
{
	static struct metrics m;
	static char out[65536];
	struct meminfo mi = { .mem_total_kb = 1000, .mem_available_kb = 500,
			      .commit_limit_kb = 105252, .committed_as_kb = 28000 };

	(void)state;
	metrics_init(&m);
	metrics_set_meminfo(&m, &mi);
	assert_true(metrics_render(&m, out, sizeof(out)) > 0);
	assert_non_null(strstr(out, "# TYPE oomkit_commit_limit_bytes gauge\noomkit_commit_limit_bytes 107778048\n"));
	assert_non_null(strstr(out, "# TYPE oomkit_committed_as_bytes gauge\noomkit_committed_as_bytes 28672000\n"));
	mi.commit_limit_kb = mi.committed_as_kb = 0;
	metrics_set_meminfo(&m, &mi);
	assert_true(metrics_render(&m, out, sizeof(out)) > 0);
	assert_null(strstr(out, "oomkit_commit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commit_series),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
