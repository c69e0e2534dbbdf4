/* test_cgroup.c - mount discovery, path resolution and v1/v2 memcg state on
 * the fixture trees tests/fixtures/cgroup/{v1,v2}. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cgroup.h"

static struct memcg_roots fixture_roots(void)
{
	struct memcg_roots r = { 0 };

	assert_non_null(realpath("tests/fixtures/cgroup/v1", r.v1));
	assert_non_null(realpath("tests/fixtures/cgroup/v2", r.v2));
	r.v2_has_memory = true;
	snprintf(r.proc_root, sizeof(r.proc_root), "tests/fixtures/proc");
	return r;
}

static void mountinfo_finds_both(void **state)
{
	(void)state;
	struct memcg_roots r;
	const char *mi =
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		"35 31 0:32 / /sys/fs/cgroup/mem\\040ory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

	assert_int_equal(memcg_roots_parse(mi, &r), 0);
	assert_string_equal(r.v1, "/sys/fs/cgroup/mem ory");
	assert_string_equal(r.v2, "/sys/fs/cgroup/unified");
	/* not an octal escape (found by fuzz_proc): copied as is */
	assert_int_equal(memcg_roots_parse("1 2 0:1 / /a\\9zz rw - cgroup2 cgroup2 rw\n", &r), 0);
	assert_string_equal(r.v2, "/a\\9zz");
	assert_int_equal(memcg_roots_parse("1 2 0:1 / / rw - ext4 /dev/sda rw\n", &r), -ENOENT);
	assert_int_equal(memcg_roots_parse("garbage\n\n- -\n", &r), -ENOENT);
	assert_int_equal(memcg_roots_find("/proc", &r), 0); /* this host: v1 memory + cgroup2 */
}

static void resolve_relative_and_absolute(void **state)
{
	(void)state;
	struct memcg_roots r = fixture_roots();
	char dir[PATH_MAX], want[PATH_MAX + 32];
	enum cgroup_version v;

	assert_int_equal(memcg_resolve(&r, "/victims/a", dir, sizeof(dir), &v), 0);
	snprintf(want, sizeof(want), "%s/victims/a", r.v1);
	assert_string_equal(dir, want);
	assert_int_equal(v, CGROUP_V1);
	assert_int_equal(memcg_resolve(&r, "victims/", dir, sizeof(dir), &v), 0);
	assert_int_equal(v, CGROUP_V1);
	snprintf(want, sizeof(want), "%s/user.slice/app", r.v2);
	assert_int_equal(memcg_resolve(&r, want, dir, sizeof(dir), &v), 0);
	assert_string_equal(dir, want);
	assert_int_equal(v, CGROUP_V2);
	assert_int_equal(memcg_resolve(&r, "/nope", dir, sizeof(dir), &v), -ENOENT);
	assert_int_equal(memcg_resolve(&r, "/usr", dir, sizeof(dir), &v), -ENOTDIR);
	assert_int_equal(memcg_resolve(&r, "/victims/memory.stat", dir, sizeof(dir), &v), -ENOTDIR);
	r.v1[0] = '\0'; /* v2 only: relative paths go to v2 */
	assert_int_equal(memcg_resolve(&r, "user.slice", dir, sizeof(dir), &v), 0);
	assert_int_equal(v, CGROUP_V2);
	r.v2_has_memory = false;
	assert_int_equal(memcg_resolve(&r, "user.slice", dir, sizeof(dir), &v), -ENOTDIR);
}

static void v1_state(void **state)
{
	(void)state;
	struct memcg_roots r = fixture_roots();
	struct memcg_state st;
	char dir[PATH_MAX + 32];
	uint64_t lim;

	snprintf(dir, sizeof(dir), "%s/victims", r.v1);
	assert_int_equal(memcg_read(&r, dir, CGROUP_V1, &st), 0);
	assert_string_equal(st.path, "/victims");
	assert_int_equal(st.usage_bytes, 90000000);
	assert_int_equal(st.limit_bytes, 104857600);
	assert_true(st.has_memsw);
	assert_int_equal(st.swap_limit_bytes, 209715200);
	assert_int_equal(st.swap_usage_bytes, 4000000);
	assert_int_equal(st.swappiness, 30);
	assert_true(st.oom_kill_disable);
	assert_true(st.under_oom);
	assert_int_equal(st.oom_kill, 7);
	assert_int_equal(st.failcnt, 12);
	assert_int_equal(st.stat_anon, 81920);
	assert_int_equal(st.stat_file, 4096);
	assert_int_equal(st.stat_shmem, 8192);
	assert_int_equal(st.stat_file_mapped, 12288);
	assert_int_equal(st.stat_hierarchical_limit, 104857600);
	assert_true(st.high_bytes == CGROUP_UNLIMITED);
	snprintf(dir, sizeof(dir), "%s/victims/a", r.v1);
	assert_int_equal(memcg_read(&r, dir, CGROUP_V1, &st), 0);
	assert_true(st.limit_bytes == CGROUP_UNLIMITED);
	assert_int_equal(memcg_effective_limit(&st, &lim), 0);
	assert_int_equal(lim, 104857600);
	assert_int_equal(memcg_read(&r, r.v1, CGROUP_V1, &st), 0);
	assert_string_equal(st.path, "/");
	assert_int_equal(memcg_effective_limit(&st, &lim), 0);
	assert_true(lim == CGROUP_UNLIMITED);
	assert_int_equal(memcg_read(&r, "/no/such/dir", CGROUP_V1, &st), -ENOENT);
}

static void v2_state(void **state)
{
	(void)state;
	struct memcg_roots r = fixture_roots();
	struct memcg_state st;
	char dir[PATH_MAX + 32];
	uint64_t lim;

	snprintf(dir, sizeof(dir), "%s/user.slice", r.v2);
	assert_int_equal(memcg_read(&r, dir, CGROUP_V2, &st), 0);
	assert_string_equal(st.path, "/user.slice");
	assert_int_equal(st.usage_bytes, 734003200);
	assert_int_equal(st.limit_bytes, 1073741824);
	assert_true(st.high_bytes == CGROUP_UNLIMITED);
	assert_true(st.swap_limit_bytes == CGROUP_UNLIMITED);
	assert_int_equal(st.swap_usage_bytes, 4096);
	assert_int_equal(st.swappiness, 60);
	assert_int_equal(st.ev_max, 41);
	assert_int_equal(st.ev_oom, 2);
	assert_int_equal(st.ev_oom_kill, 2);
	assert_int_equal(st.ev_oom_group_kill, 1);
	assert_int_equal(st.oom_kill, 2);
	assert_int_equal(st.stat_anon, 700000000);
	assert_int_equal(st.stat_kernel, 4000000);
	assert_int_equal(st.stat_unevictable, 13);
	assert_true(st.has_pressure);
	assert_true(st.pressure.full.avg10 == 10.0);
	snprintf(dir, sizeof(dir), "%s/user.slice/app", r.v2);
	assert_int_equal(memcg_read(&r, dir, CGROUP_V2, &st), 0);
	assert_true(st.limit_bytes == CGROUP_UNLIMITED);
	assert_int_equal(st.high_bytes, 536870912);
	assert_int_equal(st.swap_limit_bytes, 0);
	assert_false(st.has_pressure);
	assert_int_equal(memcg_effective_limit(&st, &lim), 0);
	assert_int_equal(lim, 1073741824);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mountinfo_finds_both),
		cmocka_unit_test(resolve_relative_and_absolute),
		cmocka_unit_test(v1_state),
		cmocka_unit_test(v2_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
