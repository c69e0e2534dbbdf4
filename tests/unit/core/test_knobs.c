/* test_knobs.c - the kernel's OOM knobs read from a fake /proc/sys/vm
 * (and meminfo's CommitLimit, Committed_AS) under a proc root, each value
 * turned into its line and its JSON; the kernel's rules for who panics
 * and who dies; memory.oom.group walked from the victim's cgroup up to
 * the OOM's domain on a fake cgroup2 tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/knobs.h"
#include "fixture_tree.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	fixture_put(root, rel, text);
}

/* A proc root with the kernel's defaults, overcommit mode 2 off. */
static int setup(void **state)
{
	(void)state;
	fixture_tree_new(root, "knobs");
	fixture_mkdir(root, "sys");
	fixture_mkdir(root, "sys/vm");
	put("meminfo", "MemTotal:       24000000 kB\nMemAvailable:   21000000 kB\n"
		       "CommitLimit:    12000000 kB\nCommitted_AS:    9800000 kB\n");
	put("sys/vm/panic_on_oom", "0\n");
	put("sys/vm/oom_kill_allocating_task", "0\n");
	put("sys/vm/oom_dump_tasks", "1\n");
	put("sys/vm/overcommit_memory", "0\n");
	put("sys/vm/overcommit_ratio", "50\n");
	put("sys/vm/overcommit_kbytes", "0\n");
	fixture_mkdir(root, "cg");
	fixture_mkdir(root, "cg/a");
	fixture_mkdir(root, "cg/a/b");
	fixture_mkdir(root, "cg/a/b/c");
	put("cg/a/memory.oom.group", "0\n");
	put("cg/a/b/memory.oom.group", "0\n");
	put("cg/a/b/c/memory.oom.group", "0\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fixture_tree_remove(root);
}

static void read_all(struct oom_knobs *k)
{
	oom_knobs_read(root, k);
}

/* The one line of knob in the lines of k for constraint c, or NULL. */
static const struct knob_line *line_of(const struct oom_knobs *k, enum oom_constraint c, const char *knob,
				       struct knob_line *lines)
{
	size_t n = oom_knobs_lines(k, c, lines, KNOB_LINES_MAX);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(lines[i].knob, knob))
			return &lines[i];
	return NULL;
}

static void assert_line(const struct oom_knobs *k, enum oom_constraint c, const char *knob, bool is_default,
			const char *text)
{
	struct knob_line lines[KNOB_LINES_MAX];
	const struct knob_line *l = line_of(k, c, knob, lines);

	assert_non_null(l);
	assert_int_equal(l->is_default, is_default);
	assert_string_equal(l->text, text);
}

/* k's JSON object as text (c, every line when all). */
static char *json_of(const struct oom_knobs *k, enum oom_constraint c, bool all)
{
	static char buf[8192];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct json j;

	assert_non_null(f);
	json_init(&j, f);
	oom_knobs_json(&j, k, c, all);
	fclose(f);
	return buf;
}

static void defaults_read_and_say_nothing(void **state)
{
	struct oom_knobs k;
	const char *js;

	(void)state;
	read_all(&k);
	assert_int_equal(k.panic_on_oom, 0);
	assert_int_equal(k.oom_kill_allocating_task, 0);
	assert_int_equal(k.oom_dump_tasks, 1);
	assert_int_equal(k.overcommit_memory, 0);
	assert_int_equal(k.overcommit_ratio, 50);
	assert_int_equal(k.commit_limit_kb, 12000000);
	assert_int_equal(k.committed_as_kb, 9800000);
	assert_int_equal(oom_knobs_commit_headroom_kb(&k), 2200000);
	assert_line(&k, CONSTRAINT_NONE, "panic_on_oom", true, "panic_on_oom=0: an OOM kills a process");
	assert_line(&k, CONSTRAINT_NONE, "oom_kill_allocating_task", true,
		    "oom_kill_allocating_task=0: the kernel kills the top of this table");
	js = json_of(&k, CONSTRAINT_NONE, false);
	assert_non_null(strstr(js, "\"panic_on_oom\":0,\"oom_kill_allocating_task\":0,\"oom_dump_tasks\":1,"
				   "\"overcommit_memory\":0,\"overcommit_ratio\":50,\"overcommit_kbytes\":0,"
				   "\"commit_limit_kb\":12000000,\"committed_as_kb\":9800000,\"memory_oom_group\":null"));
	assert_non_null(strstr(js, "\"effect\":{\"oom\":\"kill\",\"victim\":\"top\",\"victim_group\":null,"
				   "\"task_table\":true,\"commit_limit_enforced\":false,\"commit_headroom_kb\":2200000}"));
	assert_non_null(strstr(js, "\"lines\":[]"));
	/* --verbose: every knob, marked default */
	js = json_of(&k, CONSTRAINT_NONE, true);
	assert_non_null(strstr(js, "{\"knob\":\"panic_on_oom\",\"value\":0,\"default\":true,"
				   "\"text\":\"panic_on_oom=0: an OOM kills a process\"}"));
}

static void panic_on_oom_values(void **state)
{
	struct oom_knobs k;

	(void)state;
	put("sys/vm/panic_on_oom", "1\n");
	read_all(&k);
	assert_line(&k, CONSTRAINT_NONE, "panic_on_oom", false,
		    "panic_on_oom=1: a global OOM panics the machine; a memcg OOM kills");
	assert_line(&k, CONSTRAINT_MEMCG, "panic_on_oom", false,
		    "panic_on_oom=1: this memcg OOM kills; a global OOM panics the machine");
	assert_true(oom_knobs_panics(&k, CONSTRAINT_NONE, 0));
	assert_false(oom_knobs_panics(&k, CONSTRAINT_MEMCG, 0));
	assert_false(oom_knobs_panics(&k, CONSTRAINT_CPUSET, 0));
	assert_false(oom_knobs_panics(&k, CONSTRAINT_NONE, -1)); /* sysrq never panics */
	assert_non_null(strstr(json_of(&k, CONSTRAINT_NONE, false), "\"effect\":{\"oom\":\"panic\""));
	assert_non_null(strstr(json_of(&k, CONSTRAINT_MEMCG, false), "\"effect\":{\"oom\":\"kill\""));
	put("sys/vm/panic_on_oom", "2\n");
	read_all(&k);
	assert_line(&k, CONSTRAINT_MEMCG, "panic_on_oom", false,
		    "panic_on_oom=2: every OOM panics the machine, memcg OOMs too: nothing is killed");
	assert_true(oom_knobs_panics(&k, CONSTRAINT_MEMCG, 0));
	assert_non_null(strstr(json_of(&k, CONSTRAINT_MEMCG, false),
			       "\"lines\":[{\"knob\":\"panic_on_oom\",\"value\":2,\"default\":false,"));
	put("sys/vm/panic_on_oom", "0\n");
}

static void allocating_task_and_dump_tasks(void **state)
{
	struct oom_knobs k;
	const char *js;

	(void)state;
	put("sys/vm/oom_kill_allocating_task", "1\n");
	put("sys/vm/oom_dump_tasks", "0\n");
	read_all(&k);
	assert_line(&k, CONSTRAINT_NONE, "oom_kill_allocating_task", false,
		    "oom_kill_allocating_task=1: the kernel kills whichever task is allocating; "
		    "this table's order applies only to oomkit");
	assert_line(&k, CONSTRAINT_MEMCG, "oom_kill_allocating_task", false,
		    "oom_kill_allocating_task=1: global OOMs kill the allocating task; "
		    "a memcg OOM still kills the top of this table");
	assert_true(oom_knobs_kills_allocating(&k, CONSTRAINT_NONE));
	assert_false(oom_knobs_kills_allocating(&k, CONSTRAINT_MEMCG));
	assert_line(&k, CONSTRAINT_NONE, "oom_dump_tasks", false,
		    "oom_dump_tasks=0: kernel OOM reports carry no task table");
	js = json_of(&k, CONSTRAINT_NONE, false);
	assert_non_null(strstr(js, "\"victim\":\"allocating_task\""));
	assert_non_null(strstr(js, "\"task_table\":false"));
	put("sys/vm/oom_kill_allocating_task", "0\n");
	put("sys/vm/oom_dump_tasks", "1\n");
}

static void overcommit_modes(void **state)
{
	struct oom_knobs k;

	(void)state;
	put("sys/vm/overcommit_memory", "1\n");
	read_all(&k);
	assert_line(&k, CONSTRAINT_NONE, "overcommit_memory", false,
		    "overcommit_memory=1: allocations never fail for lack of memory: only an OOM stops a hog");
	put("sys/vm/overcommit_memory", "2\n");
	read_all(&k);
	assert_true(oom_knobs_commit_enforced(&k));
	assert_line(&k, CONSTRAINT_NONE, "overcommit_memory", false,
		    "overcommit_memory=2: allocations fail at CommitLimit 11.44GiB, 9.346GiB committed "
		    "(overcommit_ratio 50% of RAM + swap)");
	assert_non_null(strstr(json_of(&k, CONSTRAINT_NONE, false), "\"commit_limit_enforced\":true"));
	put("sys/vm/overcommit_kbytes", "4194304\n");
	read_all(&k);
	assert_line(&k, CONSTRAINT_NONE, "overcommit_memory", false,
		    "overcommit_memory=2: allocations fail at CommitLimit 11.44GiB, 9.346GiB committed "
		    "(overcommit_kbytes 4GiB + swap)");
	put("sys/vm/overcommit_kbytes", "0\n");
	put("sys/vm/overcommit_memory", "0\n");
}

static void missing_files_are_unknown(void **state)
{
	struct oom_knobs k;
	struct knob_line lines[KNOB_LINES_MAX];

	(void)state;
	oom_knobs_read("/nonexistent", &k);
	assert_int_equal(k.panic_on_oom, KNOB_UNKNOWN);
	assert_int_equal(k.commit_limit_kb, 0);
	assert_int_equal(oom_knobs_lines(&k, CONSTRAINT_NONE, lines, KNOB_LINES_MAX), 0);
	assert_non_null(strstr(json_of(&k, CONSTRAINT_NONE, true), "{\"panic_on_oom\":null,"));
}

static void oom_group_walk(void **state)
{
	char v2[128], out[256];
	struct oom_knobs k;
	struct memcg_roots roots = { .v2_has_memory = true };

	(void)state;
	snprintf(v2, sizeof(v2), "%s/cg", root);
	memcg_oom_group(v2, "/a/b/c", "", out, sizeof(out));
	assert_string_equal(out, "");
	put("cg/a/b/memory.oom.group", "1\n");
	memcg_oom_group(v2, "/a/b/c", "", out, sizeof(out));
	assert_string_equal(out, "/a/b");
	/* the highest one set, up to the domain only */
	put("cg/a/memory.oom.group", "1\n");
	memcg_oom_group(v2, "/a/b/c", "/", out, sizeof(out));
	assert_string_equal(out, "/a");
	memcg_oom_group(v2, "/a/b/c", "/a/b", out, sizeof(out));
	assert_string_equal(out, "/a/b");
	memcg_oom_group(v2, "/a/b/c", "/a/b/c", out, sizeof(out));
	assert_string_equal(out, "");
	memcg_oom_group(v2, "/a/bc", "/a/b", out, sizeof(out)); /* not below the domain */
	assert_string_equal(out, "");
	memcg_oom_group("", "/a/b/c", "", out, sizeof(out));  /* v1: no such knob */
	assert_string_equal(out, "");
	/* the line for a cgroup scene */
	snprintf(roots.v2, sizeof(roots.v2), "%s", v2);
	read_all(&k);
	oom_knobs_read_group(&k, &roots, "/a/b", "/a/b/c");
	assert_int_equal(k.oom_group, 1);
	assert_line(&k, CONSTRAINT_MEMCG, "memory.oom.group", false,
		    "memory.oom.group=1 on /a/b: the victim's whole cgroup dies with it");
	assert_non_null(strstr(json_of(&k, CONSTRAINT_MEMCG, false),
			       "\"memory_oom_group\":{\"cgroup\":\"/a/b\",\"value\":1,\"victim_group\":\"/a/b\"}"));
	oom_knobs_read_group(&k, &roots, "/a/b/c", "/a/b/c");
	assert_line(&k, CONSTRAINT_MEMCG, "memory.oom.group", true,
		    "memory.oom.group=0 on /a/b/c: the victim dies alone");
	/* a global OOM: the victim's group up to the root */
	oom_knobs_read_group(&k, &roots, NULL, "/a/b/c");
	assert_line(&k, CONSTRAINT_NONE, "memory.oom.group", false,
		    "memory.oom.group=1 on /a: the victim's whole cgroup dies with it");
	/* v1 memory controller: the kernel ignores the knob */
	snprintf(roots.v1, sizeof(roots.v1), "/sys/fs/cgroup/memory");
	oom_knobs_read_group(&k, &roots, "/a/b", "/a/b/c");
	assert_line(&k, CONSTRAINT_MEMCG, "memory.oom.group", true,
		    "memory.oom.group: none on cgroup v1; the victim dies alone");
	put("cg/a/memory.oom.group", "0\n");
	put("cg/a/b/memory.oom.group", "0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_read_and_say_nothing),
		cmocka_unit_test(panic_on_oom_values),
		cmocka_unit_test(allocating_task_and_dump_tasks),
		cmocka_unit_test(overcommit_modes),
		cmocka_unit_test(missing_files_are_unknown),
		cmocka_unit_test(oom_group_walk),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
