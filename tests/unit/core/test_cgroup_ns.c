/* test_cgroup_ns.c - cgroup paths read inside a private cgroup namespace:
 * the mount's root in mountinfo, the search for the namespace root in a
 * throw-away tree, and the resolution of "/../.." paths; in the same
 * kind of tree, the CPU quota over the daemon's own cgroup (cpu.max). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/cgroup.h"
#include "core/cgroup_ns.h"

static void resolve(const char *root, const char *path, const char *want)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	assert_true(cgroup_ns_resolve(root, p, sizeof(p)));
	assert_string_equal(p, want);
}

static void resolves_against_the_root(void **state)
{
	const char *pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podU.slice/cri-containerd-C.scope";
	char p[64] = "/../../x";

	(void)state;
	/* what the kernel prints in /proc/PID/cgroup from inside the pod */
	resolve(pod, "/../../../../init.scope", "/init.scope");
	resolve(pod, "/../../kubepods-burstable-podV.slice/cri-containerd-D.scope",
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podV.slice/cri-containerd-D.scope");
	resolve(pod, "/../cri-containerd-E.scope",
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podU.slice/cri-containerd-E.scope");
	/* podman's container under machine.slice, a pod beside it */
	resolve("/machine.slice/libpod-1.scope/container", "/../../../kubepods.slice/k.slice",
		"/kubepods.slice/k.slice");
	/* inside the namespace: below its root */
	resolve(pod, "/", pod);
	resolve("/a/b", "/c", "/a/b/c");
	resolve("/a/b", "/../..", "/");
	/* no namespace root: nothing to do */
	assert_false(cgroup_ns_resolve("", p, sizeof(p)));
	assert_string_equal(p, "/../../x");
	/* too long for the buffer: left as it was */
	assert_false(cgroup_ns_resolve("/a-rather-long-root/that-does-not-fit-in-a-small-buffer/at-all", p, 40));
	assert_string_equal(p, "/../../x");
}

static void mountinfo_keeps_the_mount_on_top(void **state)
{
	struct memcg_roots r;
	/* a container: its own cgroup2 mount, then the host's tree bind-mounted
	 * over it (the DaemonSet's hostPath), whose root is 4 levels up */
	const char *mi = "600 590 0:27 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw\n"
			 "610 590 0:27 /../../../.. /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n"
			 "620 590 0:27 /../../../.. /host/cgroup rw,relatime - cgroup2 cgroup2 rw\n";

	(void)state;
	assert_int_equal(memcg_roots_parse(mi, &r), 0);
	assert_string_equal(r.v2, "/sys/fs/cgroup");
	assert_string_equal(r.v2_mount_root, "/../../../..");
	assert_int_equal(memcg_roots_parse("1 2 0:3 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", &r), 0);
	assert_string_equal(r.v1_mount_root, "/");
	assert_string_equal(r.v2_mount_root, "");
}

static char tree[] = "/tmp/oomkit-cgns.XXXXXX";

static void mkdirs(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s%s", tree, rel);
	for (char *s = strchr(p + strlen(tree) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static void put(const char *rel, const char *name, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s/%s", tree, rel, name);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

static void search_finds_our_directory(void **state)
{
	char out[PATH_MAX], mine[32];

	(void)state;
	assert_non_null(mkdtemp(tree));
	mkdirs("/system.slice/a.service");
	mkdirs("/kubepods.slice/burst.slice/podU.slice/ctr.scope/sub");
	mkdirs("/kubepods.slice/burst.slice/podV.slice/ctr.scope");
	put("/system.slice/a.service", "cgroup.procs", "1\n2\n");
	put("/kubepods.slice/burst.slice/podV.slice/ctr.scope", "cgroup.procs", "7\n");
	snprintf(mine, sizeof(mine), "3\n%d\n", (int)getpid());
	put("/kubepods.slice/burst.slice/podU.slice/ctr.scope", "cgroup.procs", mine);
	put("/kubepods.slice/burst.slice/podU.slice/ctr.scope/sub", "cgroup.procs", mine);

	assert_int_equal(cgroup_ns_root_search(tree, 4, "/", getpid(), out, sizeof(out)), 0);
	assert_string_equal(out, "/kubepods.slice/burst.slice/podU.slice/ctr.scope");
	/* we live in a child of the namespace root */
	assert_int_equal(cgroup_ns_root_search(tree, 4, "/sub", getpid(), out, sizeof(out)), 0);
	assert_string_equal(out, "/kubepods.slice/burst.slice/podU.slice/ctr.scope");
	/* the namespace root a level higher: not there */
	assert_int_equal(cgroup_ns_root_search(tree, 3, "/", getpid(), out, sizeof(out)), -ENOENT);
	assert_int_equal(cgroup_ns_root_search(tree, 4, "/", 999999, out, sizeof(out)), -ENOENT);
	/* a mount made inside the namespace, or none private: nothing to find */
	assert_int_equal(cgroup_ns_root_find("/proc", tree, "/", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* the mount shows a tree beside ours */
	assert_int_equal(cgroup_ns_root_find("/proc", tree, "/../other", out, sizeof(out)), -ENOENT);

	/* CPU quotas: none, then the kubelet's on the pod and the container */
	put("/kubepods.slice", "cpu.max", "max 100000\n");
	assert_true(cgroup_v2_cpu_quota(tree, "/kubepods.slice/burst.slice/podU.slice/ctr.scope", out, sizeof(out)) == 0);
	assert_string_equal(out, "");
	put("/kubepods.slice/burst.slice/podU.slice", "cpu.max", "10000 100000\n");
	put("/kubepods.slice/burst.slice/podU.slice/ctr.scope", "cpu.max", "5000 100000\n");
	assert_true(cgroup_v2_cpu_quota(tree, "/kubepods.slice/burst.slice/podU.slice/ctr.scope", out, sizeof(out)) == 0.05);
	assert_string_equal(out, "/kubepods.slice/burst.slice/podU.slice/ctr.scope");
	/* the tighter one above */
	put("/kubepods.slice/burst.slice", "cpu.max", "2000 100000\n");
	assert_true(cgroup_v2_cpu_quota(tree, "/kubepods.slice/burst.slice/podU.slice/ctr.scope", out, sizeof(out)) == 0.02);
	assert_string_equal(out, "/kubepods.slice/burst.slice");
	assert_true(cgroup_v2_cpu_quota(tree, "/", out, sizeof(out)) == 0);
	snprintf(out, sizeof(out), "rm -rf %s", tree);
	assert_int_equal(system(out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resolves_against_the_root),
		cmocka_unit_test(mountinfo_keeps_the_mount_on_top),
		cmocka_unit_test(search_finds_our_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
