/* test_oom_labels.c - the bounded label table of
 * oomkit_kernel_oom_kills_total: one series per (constraint, cgroup), a
 * Kubernetes path keyed by pod UID and container ID, the table full then
 * one overflow series per constraint with existing series still counting,
 * and the rendered exposition of kernel kills (kill_record.kernel). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/publish/metrics.h"
#include "daemon/publish/oom_labels.h"

#define POD "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f3b7e8a_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice"
#define CTR1 POD "/cri-containerd-3b1c9e2f0a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7.scope"
#define CTR2 POD "/cri-containerd-aaaa9e2f0a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7.scope"

static struct oom_labels t;

static void test_series_per_cgroup(void **state)
{
	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(oom_labels_count(&t, OOM_MEMCG, "/box"), 0);
	assert_int_equal(oom_labels_count(&t, OOM_MEMCG, "/box"), 0);
	assert_int_equal(oom_labels_count(&t, OOM_GLOBAL, "/box"), 1); /* another constraint */
	assert_int_equal(oom_labels_count(&t, OOM_MEMCG, "/other"), 2);
	assert_int_equal(oom_labels_count(&t, OOM_GLOBAL, ""), 3);       /* no path: the root */
	assert_int_equal(t.nr, 4);
	assert_int_equal(t.series[0].count, 2);
	assert_string_equal(t.series[0].cgroup, "/box");
	assert_string_equal(t.series[3].cgroup, "/");
	assert_int_equal(oom_labels_count(&t, OOM_NR_CONSTRAINTS, "/x"), 4); /* out of range: global */
	assert_int_equal(t.series[4].constraint, OOM_GLOBAL);
}

static void test_kubernetes_key(void **state)
{
	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(oom_labels_count(&t, OOM_MEMCG, CTR1), 0);
	assert_string_equal(t.series[0].cgroup, "");
	assert_string_equal(t.series[0].pod_uid, "0f3b7e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
	assert_string_equal(t.series[0].container_id, "3b1c9e2f0a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7");
	assert_int_equal(oom_labels_count(&t, OOM_MEMCG, CTR1), 0);
	assert_int_equal(oom_labels_count(&t, OOM_MEMCG, CTR2), 1); /* the container restarted */
	assert_int_equal(oom_labels_count(&t, OOM_MEMCG, POD), 2);  /* the pod's own limit */
	assert_string_equal(t.series[2].container_id, "");
	assert_int_equal(t.series[0].count, 2);
}

static void test_bounded(void **state)
{
	char path[64];

	(void)state;
	memset(&t, 0, sizeof(t));
	for (int i = 0; i < OOM_LABELS_MAX; i++) {
		snprintf(path, sizeof(path), "/c%d", i);
		assert_int_equal(oom_labels_count(&t, OOM_MEMCG, path), i);
	}
	assert_int_equal(oom_labels_count(&t, OOM_MEMCG, "/late"), -1);
	assert_int_equal(oom_labels_count(&t, OOM_MEMCG, "/later"), -1);
	assert_int_equal(oom_labels_count(&t, OOM_CPUSET, "/late"), -1);
	assert_int_equal(t.nr, OOM_LABELS_MAX);
	assert_int_equal(t.overflow[OOM_MEMCG], 2);
	assert_int_equal(t.overflow[OOM_CPUSET], 1);
	assert_int_equal(t.overflow[OOM_GLOBAL], 0);
	/* a series made before the table filled keeps counting */
	assert_int_equal(oom_labels_count(&t, OOM_MEMCG, "/c7"), 7);
	assert_int_equal(t.series[7].count, 2);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(oom_label_constraint_name(OOM_SYSRQ), "sysrq");
	assert_null(oom_label_constraint_name(OOM_NR_CONSTRAINTS));
	assert_int_equal(oom_label_constraint_of("cpuset"), OOM_CPUSET);
	assert_int_equal(oom_label_constraint_of("memcg"), OOM_MEMCG);
	assert_int_equal(oom_label_constraint_of("bogus"), OOM_GLOBAL);
	assert_int_equal(oom_label_constraint_of(NULL), OOM_GLOBAL);
}

static void test_render(void **state)
{
	static struct metrics m;
	static char out[131072];
	struct kill_record k = { .kernel = true, .time_seconds = 1700000000.25, .selection_seconds = -1 };
	char path[64];

	(void)state;
	metrics_init(&m);
	snprintf(k.constraint, sizeof(k.constraint), "memcg");
	snprintf(k.cgroup, sizeof(k.cgroup), "/box \"q\"");
	metrics_record_kill(&m, &k);
	metrics_record_kill(&m, &k);
	snprintf(k.cgroup, sizeof(k.cgroup), "%s", CTR1);
	metrics_record_kill(&m, &k);
	for (int i = 0; i < OOM_LABELS_MAX; i++) {
		snprintf(k.cgroup, sizeof(k.cgroup), "/n%d", i);
		snprintf(k.constraint, sizeof(k.constraint), "global");
		metrics_record_kill(&m, &k);
	}
	assert_true(metrics_render(&m, out, sizeof(out)) > 0);
	assert_non_null(strstr(out, "# TYPE oomkit_kernel_oom_kills_total counter\n"));
	assert_non_null(strstr(out, "oomkit_kernel_oom_kills_total{constraint=\"memcg\",cgroup=\"/box \\\"q\\\"\",pod_uid=\"\",container_id=\"\"} 2\n"));
	assert_non_null(strstr(out, "oomkit_kernel_oom_kills_total{constraint=\"memcg\",cgroup=\"\",pod_uid=\"0f3b7e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b\",container_id=\"3b1c9e2f0a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7\"} 1\n"));
	/* 2 series came first: 62 of the 64 global ones fit, 2 overflow */
	snprintf(path, sizeof(path), "cgroup=\"/n%d\"", OOM_LABELS_MAX - 3);
	assert_non_null(strstr(out, path));
	snprintf(path, sizeof(path), "cgroup=\"/n%d\"", OOM_LABELS_MAX - 2);
	assert_null(strstr(out, path));
	assert_non_null(strstr(out, "oomkit_kernel_oom_kills_total{constraint=\"global\",cgroup=\"_overflow\",pod_uid=\"\",container_id=\"\"} 2\n"));
	assert_non_null(strstr(out, "oomkit_kernel_oom_last_timestamp_seconds 1700000000.250\n"));
	/* oomkit's own kill series are untouched by the kernel's */
	assert_non_null(strstr(out, "oomkit_last_kill_timestamp_seconds 0.000\n"));
	assert_null(strstr(out, "oomkit_kills_total{"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series_per_cgroup),
		cmocka_unit_test(test_kubernetes_key),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
