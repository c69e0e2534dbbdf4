/* knobs.c - the kernel's OOM knobs read under a proc root, and their
 * effects in plain words (see knobs.h). The rules are mm/oom_kill.c's:
 * check_panic_on_oom() panics on any OOM with panic_on_oom=2 and on a
 * CONSTRAINT_NONE one with any other non-zero value, never on a sysrq OOM;
 * out_of_memory() kills current without ranking when
 * oom_kill_allocating_task is set and the OOM is not a memcg's;
 * mem_cgroup_get_oom_group() takes the highest cgroup with
 * memory.oom.group set between the victim's and the OOM's domain. */
#include "knobs.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "units.h"
#include "util.h"

static long read_knob(const char *proc_root, const char *name)
{
	char path[4096 + 32], buf[64];
	int64_t v;

	snprintf(path, sizeof(path), "%s/sys/vm/%s", proc_root, name);
	if (read_file_at(AT_FDCWD, path, buf, sizeof(buf)) <= 0 || parse_i64(buf, &v) < 0)
		return KNOB_UNKNOWN;
	return (long)v;
}

void oom_knobs_read(const char *proc_root, struct oom_knobs *k)
{
	struct meminfo mi;

	memset(k, 0, sizeof(*k));
	k->panic_on_oom = read_knob(proc_root, "panic_on_oom");
	k->oom_kill_allocating_task = read_knob(proc_root, "oom_kill_allocating_task");
	k->oom_dump_tasks = read_knob(proc_root, "oom_dump_tasks");
	k->overcommit_memory = read_knob(proc_root, "overcommit_memory");
	k->overcommit_ratio = read_knob(proc_root, "overcommit_ratio");
	k->overcommit_kbytes = read_knob(proc_root, "overcommit_kbytes");
	k->oom_group = KNOB_UNKNOWN;
	if (meminfo_read(proc_root, &mi) == 0) {
		k->commit_limit_kb = mi.commit_limit_kb;
		k->committed_as_kb = mi.committed_as_kb;
	}
}

static long read_oom_group(const char *v2_root, const char *path, size_t len)
{
	char file[PATH_MAX * 2], buf[32];
	int64_t v;

	snprintf(file, sizeof(file), "%s%.*s/memory.oom.group", v2_root, (int)len, path);
	if (read_file_at(AT_FDCWD, file, buf, sizeof(buf)) <= 0 || parse_i64(buf, &v) < 0)
		return KNOB_UNKNOWN;
	return (long)v;
}

void memcg_oom_group(const char *v2_root, const char *task_memcg, const char *domain, char *out,
		     size_t size)
{
	size_t dlen = domain && strcmp(domain, "/") ? strlen(domain) : 0;
	size_t len = strlen(task_memcg);

	out[0] = '\0';
	if (!v2_root[0] || task_memcg[0] != '/' || len <= 1)
		return; /* no cgroup2 memory controller, or the root cgroup */
	/* the victim must be below the domain ("/a" is not below "/ab") */
	if (dlen && (strncmp(task_memcg, domain, dlen) || (task_memcg[dlen] && task_memcg[dlen] != '/')))
		return;
	/* from the victim's cgroup up to the domain, the highest one set wins */
	for (;;) {
		if (read_oom_group(v2_root, task_memcg, len) == 1)
			snprintf(out, size, "%.*s", (int)len, task_memcg);
		if (len == dlen)
			break;
		while (len > 0 && task_memcg[len - 1] != '/')
			len--;
		if (len <= 1)
			break; /* the root cgroup has no memory.oom.group */
		len--;
	}
}

void oom_knobs_read_group(struct oom_knobs *k, const struct memcg_roots *roots, const char *memcg,
			  const char *victim_memcg)
{
	/* memory.oom.group is cgroup v2's: with the memory controller on v1
	 * the kernel ignores it (cgroup_subsys_on_dfl) */
	const char *v2 = !roots->v1[0] && roots->v2_has_memory ? roots->v2 : "";

	k->oom_group = KNOB_UNKNOWN;
	k->oom_group_of[0] = k->oom_group_kills[0] = '\0';
	if (memcg && memcg[0] && strcmp(memcg, "/")) {
		snprintf(k->oom_group_of, sizeof(k->oom_group_of), "%s", memcg);
		if (v2[0])
			k->oom_group = read_oom_group(v2, memcg, strlen(memcg));
	}
	if (victim_memcg)
		memcg_oom_group(v2, victim_memcg, memcg, k->oom_group_kills, sizeof(k->oom_group_kills));
}

bool oom_knobs_panics(const struct oom_knobs *k, enum oom_constraint c, int order)
{
	if (order == -1 || k->panic_on_oom <= 0)
		return false;
	return k->panic_on_oom == 2 || c == CONSTRAINT_NONE;
}

bool oom_knobs_kills_allocating(const struct oom_knobs *k, enum oom_constraint c)
{
	return k->oom_kill_allocating_task > 0 && c != CONSTRAINT_MEMCG;
}

bool oom_knobs_commit_enforced(const struct oom_knobs *k)
{
	return k->overcommit_memory == 2;
}

unsigned long oom_knobs_commit_headroom_kb(const struct oom_knobs *k)
{
	return k->commit_limit_kb > k->committed_as_kb ? k->commit_limit_kb - k->committed_as_kb : 0;
}

static void panic_text(const struct oom_knobs *k, enum oom_constraint c, char *t, size_t size)
{
	if (k->panic_on_oom == 0)
		snprintf(t, size, "an OOM kills a process");
	else if (k->panic_on_oom == 2)
		snprintf(t, size, "every OOM panics the machine, memcg OOMs too: nothing is killed");
	else if (c == CONSTRAINT_NONE)
		snprintf(t, size, "a global OOM panics the machine; a memcg OOM kills");
	else
		snprintf(t, size, "this %s OOM kills; a global OOM panics the machine",
			 c == CONSTRAINT_MEMCG ? "memcg" : "constrained");
}

static void allocating_text(const struct oom_knobs *k, enum oom_constraint c, char *t, size_t size)
{
	if (k->oom_kill_allocating_task == 0)
		snprintf(t, size, "the kernel kills the top of this table");
	else if (c == CONSTRAINT_MEMCG)
		snprintf(t, size, "global OOMs kill the allocating task; a memcg OOM still kills the top of this table");
	else
		snprintf(t, size, "the kernel kills whichever task is allocating; this table's order applies only to oomkit");
}

static void overcommit_text(const struct oom_knobs *k, char *t, size_t size)
{
	char lim[32], used[32], kb[32];

	if (k->overcommit_memory == 0) {
		snprintf(t, size, "heuristic overcommit; memory runs out before allocations fail");
		return;
	}
	if (k->overcommit_memory == 1) {
		snprintf(t, size, "allocations never fail for lack of memory: only an OOM stops a hog");
		return;
	}
	format_kb(k->commit_limit_kb, lim, sizeof(lim));
	format_kb(k->committed_as_kb, used, sizeof(used));
	if (k->overcommit_kbytes > 0) {
		format_kb((unsigned long)k->overcommit_kbytes, kb, sizeof(kb));
		snprintf(t, size, "allocations fail at CommitLimit %s, %s committed (overcommit_kbytes %s + swap)",
			 lim, used, kb);
	} else {
		snprintf(t, size, "allocations fail at CommitLimit %s, %s committed (overcommit_ratio %ld%% of RAM + swap)",
			 lim, used, k->overcommit_ratio);
	}
}

static void oom_group_line(const struct oom_knobs *k, struct knob_line *l)
{
	const char *of = k->oom_group_of[0] ? k->oom_group_of : k->oom_group_kills;

	l->knob = "memory.oom.group";
	l->is_default = !k->oom_group_kills[0];
	l->value = k->oom_group_kills[0] ? 1 : k->oom_group;
	if (k->oom_group_kills[0] && strcmp(k->oom_group_kills, of))
		snprintf(l->text, sizeof(l->text), "memory.oom.group=%ld on %.64s, 1 on %.64s: the victim's whole cgroup %.64s dies with it",
			 k->oom_group, of, k->oom_group_kills, k->oom_group_kills);
	else if (k->oom_group_kills[0])
		snprintf(l->text, sizeof(l->text), "memory.oom.group=1 on %.64s: the victim's whole cgroup dies with it", of);
	else if (k->oom_group == KNOB_UNKNOWN)
		snprintf(l->text, sizeof(l->text), "memory.oom.group: none on cgroup v1; the victim dies alone");
	else
		snprintf(l->text, sizeof(l->text), "memory.oom.group=%ld on %.64s: the victim dies alone", k->oom_group, of);
}

static void add(struct knob_line *out, size_t *n, size_t max, const char *knob, long value, long dflt,
		void (*fn)(const struct oom_knobs *, enum oom_constraint, char *, size_t),
		const struct oom_knobs *k, enum oom_constraint c)
{
	struct knob_line *l = &out[*n];
	int len;

	if (value == KNOB_UNKNOWN || *n >= max)
		return;
	l->knob = knob;
	l->value = value;
	l->is_default = value == dflt;
	len = snprintf(l->text, sizeof(l->text), "%s=%ld: ", knob, value);
	fn(k, c, l->text + len, sizeof(l->text) - (size_t)len);
	(*n)++;
}

static void dump_text(const struct oom_knobs *k, enum oom_constraint c, char *t, size_t size)
{
	(void)c;
	snprintf(t, size, k->oom_dump_tasks ? "kernel OOM reports list every task"
					    : "kernel OOM reports carry no task table");
}

static void overcommit_fn(const struct oom_knobs *k, enum oom_constraint c, char *t, size_t size)
{
	(void)c;
	overcommit_text(k, t, size);
}

size_t oom_knobs_lines(const struct oom_knobs *k, enum oom_constraint c, struct knob_line *out, size_t max)
{
	size_t n = 0;

	add(out, &n, max, "panic_on_oom", k->panic_on_oom, KNOB_DEFAULT_PANIC_ON_OOM, panic_text, k, c);
	add(out, &n, max, "oom_kill_allocating_task", k->oom_kill_allocating_task, KNOB_DEFAULT_KILL_ALLOCATING,
	    allocating_text, k, c);
	add(out, &n, max, "oom_dump_tasks", k->oom_dump_tasks, KNOB_DEFAULT_DUMP_TASKS, dump_text, k, c);
	add(out, &n, max, "overcommit_memory", k->overcommit_memory, KNOB_DEFAULT_OVERCOMMIT, overcommit_fn, k, c);
	if ((k->oom_group_of[0] || k->oom_group_kills[0]) && n < max)
		oom_group_line(k, &out[n++]);
	return n;
}

static void kv_knob(struct json *j, const char *key, long v)
{
	if (v == KNOB_UNKNOWN)
		json_kv_null(j, key);
	else
		json_kv_int(j, key, v);
}

static void json_group(struct json *j, const struct oom_knobs *k)
{
	json_key(j, "memory_oom_group");
	if (!k->oom_group_of[0] && !k->oom_group_kills[0]) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_kv_string(j, "cgroup", k->oom_group_of[0] ? k->oom_group_of : NULL);
	kv_knob(j, "value", k->oom_group);
	json_kv_string(j, "victim_group", k->oom_group_kills[0] ? k->oom_group_kills : NULL);
	json_end_object(j);
}

static void json_effect(struct json *j, const struct oom_knobs *k, enum oom_constraint c)
{
	json_key(j, "effect");
	json_begin_object(j);
	json_kv_string(j, "oom", oom_knobs_panics(k, c, 0) ? "panic" : "kill");
	json_kv_string(j, "victim", oom_knobs_kills_allocating(k, c) ? "allocating_task" : "top");
	json_kv_string(j, "victim_group", k->oom_group_kills[0] ? k->oom_group_kills : NULL);
	json_kv_bool(j, "task_table", k->oom_dump_tasks != 0);
	json_kv_bool(j, "commit_limit_enforced", oom_knobs_commit_enforced(k));
	json_kv_uint(j, "commit_headroom_kb", oom_knobs_commit_headroom_kb(k));
	json_end_object(j);
}

void oom_knobs_json(struct json *j, const struct oom_knobs *k, enum oom_constraint c, bool all)
{
	struct knob_line lines[KNOB_LINES_MAX];
	size_t n = oom_knobs_lines(k, c, lines, KNOB_LINES_MAX);

	json_begin_object(j);
	kv_knob(j, "panic_on_oom", k->panic_on_oom);
	kv_knob(j, "oom_kill_allocating_task", k->oom_kill_allocating_task);
	kv_knob(j, "oom_dump_tasks", k->oom_dump_tasks);
	kv_knob(j, "overcommit_memory", k->overcommit_memory);
	kv_knob(j, "overcommit_ratio", k->overcommit_ratio);
	kv_knob(j, "overcommit_kbytes", k->overcommit_kbytes);
	json_kv_uint(j, "commit_limit_kb", k->commit_limit_kb);
	json_kv_uint(j, "committed_as_kb", k->committed_as_kb);
	json_group(j, k);
	json_effect(j, k, c);
	json_key(j, "lines");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		if (lines[i].is_default && !all)
			continue;
		json_begin_object(j);
		json_kv_string(j, "knob", lines[i].knob);
		kv_knob(j, "value", lines[i].value);
		json_kv_bool(j, "default", lines[i].is_default);
		json_kv_string(j, "text", lines[i].text);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}
