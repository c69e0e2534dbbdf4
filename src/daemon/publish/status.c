/* status.c - see status.h. */
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "core/json.h"
#include "core/units.h"
#include "core/util.h"

static void json_psi_line(struct json *j, const char *key, const struct psi_line *l)
{
	json_key(j, key);
	json_begin_object(j);
	json_kv_double(j, "avg10", l->avg10);
	json_kv_double(j, "avg60", l->avg60);
	json_kv_double(j, "avg300", l->avg300);
	json_kv_uint(j, "total_us", l->total_us);
	json_end_object(j);
}

static void json_kill(struct json *j, const struct kill_record *r)
{
	json_begin_object(j);
	json_kv_uint(j, "time", (uint64_t)r->time_seconds);
	json_kv_int(j, "pid", r->pid);
	json_kv_uint(j, "uid", r->uid);
	json_kv_string(j, "comm", r->comm);
	json_kv_string(j, "cgroup", r->cgroup);
	json_kv_string(j, "trigger", r->trigger);
	json_kv_string(j, "unit", r->unit);
	json_kv_int(j, "signal", r->signal);
	json_kv_bool(j, "dry_run", r->dry_run);
	json_kv_bool(j, "killed", r->killed);
	json_kv_bool(j, "reaped", r->reaped);
	json_kv_uint(j, "rss_kb", r->rss_kb);
	json_kv_uint(j, "swap_kb", r->swap_kb);
	json_kv_int(j, "oom_score_adj", r->oom_score_adj);
	if (r->reclaim_seconds >= 0)
		json_kv_uint(j, "reclaim_ms", (uint64_t)(r->reclaim_seconds * 1000 + 0.5));
	else
		json_kv_null(j, "reclaim_ms");
	json_key(j, "k8s");
	k8s_json(j, &r->k8s);
	json_end_object(j);
}

void status_write_json(const struct status_view *v, FILE *f)
{
	struct json j;

	json_init(&j, f);
	json_begin_document(&j, STATUS_JSON_SCHEMA);
	json_kv_int(&j, "pid", v->pid);
	json_kv_uint(&j, "started", (uint64_t)v->started_seconds);
	json_kv_uint(&j, "updated", (uint64_t)v->updated_seconds);
	json_kv_bool(&j, "dry_run", v->dry_run);
	json_kv_string(&j, "stage", v->stage);
	json_kv_string(&j, "trigger", v->trigger[0] ? v->trigger : NULL);
	if (v->systemd[0])
		json_kv_string(&j, "managed_oom", v->systemd);
	json_key(&j, "memory");
	json_begin_object(&j);
	json_kv_uint(&j, "mem_total_kb", v->mem_total_kb);
	json_kv_uint(&j, "mem_available_kb", v->mem_available_kb);
	json_kv_uint(&j, "swap_total_kb", v->swap_total_kb);
	json_kv_uint(&j, "swap_free_kb", v->swap_free_kb);
	json_end_object(&j);
	json_key(&j, "knobs");
	if (v->have_knobs)
		oom_knobs_json(&j, &v->knobs, CONSTRAINT_NONE, false);
	else
		json_null(&j);
	json_key(&j, "psi");
	if (v->have_psi) {
		json_begin_object(&j);
		json_psi_line(&j, "some", &v->psi.some);
		if (v->psi.has_full)
			json_psi_line(&j, "full", &v->psi.full);
		json_end_object(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "triggers");
	json_begin_array(&j);
	for (size_t i = 0; i < v->nr_triggers; i++) {
		const struct status_trigger *t = &v->triggers[i];

		json_begin_object(&j);
		json_kv_string(&j, "name", t->name);
		json_kv_string(&j, "where", t->where);
		json_kv_string(&j, "setting", t->setting);
		json_kv_string(&j, "current", t->current);
		if (isnan(t->headroom_percent))
			json_kv_null(&j, "headroom_percent");
		else
			json_kv_double(&j, "headroom_percent", t->headroom_percent);
		json_kv_string(&j, "stage", t->stage);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "counters");
	json_begin_object(&j);
	json_kv_uint(&j, "samples", v->samples);
	json_kv_uint(&j, "kills", v->kills);
	json_kv_uint(&j, "sigterms", v->sigterms);
	json_kv_uint(&j, "escalations", v->escalations);
	json_kv_uint(&j, "kill_failures", v->kill_failures);
	json_kv_uint(&j, "dry_run_kills", v->dry_run_kills);
	json_kv_uint(&j, "kernel_oom_kills", v->kernel_oom_kills);
	json_end_object(&j);
	json_key(&j, "last_kills");
	json_begin_array(&j);
	for (size_t i = 0; i < v->nr_last_kills; i++)
		json_kill(&j, &v->last_kills[i]);
	json_end_array(&j);
	json_end_object(&j);
}

static void utc(double t, char *out, size_t size)
{
	time_t s = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&s, &tm) || !strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, size, "?");
}

static void text_kill(const struct kill_record *r, FILE *f)
{
	char when[40], comm[TASK_COMM_MAX * 4 + 1], trig[sizeof(r->trigger) * 4 + 1], pod[256], size[32];

	utc(r->time_seconds, when, sizeof(when));
	text_escape(r->comm, comm, sizeof(comm));
	text_escape(r->trigger, trig, sizeof(trig));
	format_kb(r->rss_kb + r->swap_kb, size, sizeof(size));
	k8s_format(&r->k8s, pod, sizeof(pod));
	fprintf(f, "  %s  pid %d (%s) uid %u, %s, %s%s", when, (int)r->pid, comm, (unsigned)r->uid, size,
		trig, r->dry_run ? ", dry run" : r->reaped ? ", reaped" : "");
	if (r->reclaim_seconds >= 0)
		fprintf(f, ", memory back in %.3fs", r->reclaim_seconds);
	fprintf(f, "%s%s\n", pod[0] ? ", " : "", pod);
}

/* The kernel's OOM knobs: their values, the commit figures, and the
 * effect of each knob off its default. */
static void text_knobs(const struct status_view *v, FILE *f)
{
	const struct oom_knobs *k = &v->knobs;
	struct knob_line lines[KNOB_LINES_MAX];
	size_t n;
	char lim[32], used[32];

	if (!v->have_knobs)
		return;
	format_kb(k->commit_limit_kb, lim, sizeof(lim));
	format_kb(k->committed_as_kb, used, sizeof(used));
	fprintf(f, "knobs: panic_on_oom=%ld, oom_kill_allocating_task=%ld, oom_dump_tasks=%ld,\n"
		   "       overcommit_memory=%ld; committed %s of CommitLimit %s\n", k->panic_on_oom,
		k->oom_kill_allocating_task, k->oom_dump_tasks, k->overcommit_memory, used, lim);
	n = oom_knobs_lines(k, CONSTRAINT_NONE, lines, KNOB_LINES_MAX);
	for (size_t i = 0; i < n; i++)
		if (!lines[i].is_default)
			fprintf(f, "  %s\n", lines[i].text);
}

/* The trigger table, each column as wide as its longest cell: long cgroup
 * paths and settings ("full avg10 > 10% for 10s") never push the next
 * columns out of line. */
static void text_triggers(const struct status_view *v, FILE *f)
{
	static char where[STATUS_MAX_TRIGGERS][TASK_CGROUP_MAX * 4 + 1];
	char head[STATUS_MAX_TRIGGERS][16];
	int w[5] = { 7, 5, 7, 3, 8 }; /* TRIGGER WHERE SETTING NOW HEADROOM */

	for (size_t i = 0; i < v->nr_triggers; i++) {
		const struct status_trigger *t = &v->triggers[i];
		int len[5];

		text_escape(t->where, where[i], sizeof(where[i]));
		if (isnan(t->headroom_percent))
			snprintf(head[i], sizeof(head[i]), "-");
		else
			snprintf(head[i], sizeof(head[i]), "%+.1f%%", t->headroom_percent);
		len[0] = (int)strlen(t->name);
		len[1] = (int)strlen(where[i]);
		len[2] = (int)strlen(t->setting);
		len[3] = (int)strlen(t->current);
		len[4] = (int)strlen(head[i]);
		for (int c = 0; c < 5; c++)
			if (len[c] > w[c])
				w[c] = len[c];
	}
	fprintf(f, "\n%-*s %-*s %-*s %-*s %*s %s\n", w[0], "TRIGGER", w[1], "WHERE", w[2], "SETTING", w[3],
		"NOW", w[4], "HEADROOM", "STAGE");
	for (size_t i = 0; i < v->nr_triggers; i++) {
		const struct status_trigger *t = &v->triggers[i];

		fprintf(f, "%-*s %-*s %-*s %-*s %*s %s\n", w[0], t->name, w[1], where[i], w[2], t->setting,
			w[3], t->current, w[4], head[i], t->stage);
	}
}

void status_write_text(const struct status_view *v, FILE *f)
{
	char when[40], total[32], avail[32], sfree[32], stotal[32];
	unsigned long up = v->updated_seconds > v->started_seconds ?
				   (unsigned long)(v->updated_seconds - v->started_seconds) : 0;

	utc(v->updated_seconds, when, sizeof(when));
	fprintf(f, "oomkit daemon: pid %d, up %luh %02lum, updated %s\n", (int)v->pid, up / 3600, up / 60 % 60, when);
	fprintf(f, "stage: %s%s%s%s\n", v->stage, v->trigger[0] ? ": " : "", v->trigger,
		v->dry_run ? " (dry run: no signals)" : "");
	format_kb(v->mem_total_kb, total, sizeof(total));
	format_kb(v->mem_available_kb, avail, sizeof(avail));
	fprintf(f, "memory: %s available of %s (%.1f%%)", avail, total,
		v->mem_total_kb ? 100.0 * (double)v->mem_available_kb / (double)v->mem_total_kb : 0.0);
	if (v->swap_total_kb) {
		format_kb(v->swap_free_kb, sfree, sizeof(sfree));
		format_kb(v->swap_total_kb, stotal, sizeof(stotal));
		fprintf(f, ", swap %s free of %s\n", sfree, stotal);
	} else {
		fprintf(f, ", no swap\n");
	}
	if (v->have_psi) {
		fprintf(f, "pressure: some %.2f%% %.2f%% %.2f%%", v->psi.some.avg10, v->psi.some.avg60,
			v->psi.some.avg300);
		if (v->psi.has_full)
			fprintf(f, ", full %.2f%% %.2f%% %.2f%%", v->psi.full.avg10, v->psi.full.avg60,
				v->psi.full.avg300);
		fprintf(f, " (avg10 avg60 avg300)\n");
	}
	text_knobs(v, f);
	if (v->systemd[0])
		fprintf(f, "systemd's managed cgroups: %s\n", v->systemd);
	text_triggers(v, f);
	fprintf(f, "\nkills: %llu (SIGTERM %llu, escalated %llu, failed %llu, dry-run %llu)\n"
		   "kernel OOM kills seen: %llu; samples: %llu\n",
		(unsigned long long)v->kills, (unsigned long long)v->sigterms,
		(unsigned long long)v->escalations, (unsigned long long)v->kill_failures,
		(unsigned long long)v->dry_run_kills, (unsigned long long)v->kernel_oom_kills,
		(unsigned long long)v->samples);
	if (v->nr_last_kills) {
		fprintf(f, "last kills:\n");
		for (size_t i = 0; i < v->nr_last_kills; i++)
			text_kill(&v->last_kills[i], f);
	}
}

/* At rest the state hardly changes: a file that would say what it says
 * (status_view_timeless) is only touched, its mtime being the freshness
 * `oomkit status` checks, and rewritten at least every STATUS_REWRITE_S
 * (status.h). Creating and renaming both files on every pass was most of
 * the idle daemon's CPU (bench/RESULTS.md). */
static unsigned long per_cent(unsigned long kb, unsigned long total)
{
	unsigned long step = total / 100 ? total / 100 : 1;

	return kb / step * step;
}

/* The nearest whole number (NaN stays NaN); libm's round() would map
 * libm into the daemon for this alone (mk/build.mk). */
static double whole(double x)
{
	return isnan(x) || fabs(x) > 1e15 ? x : (double)(long long)(x + (x < 0 ? -0.5 : 0.5));
}

static void psi_coarse(struct psi_line *l)
{
	l->avg10 = whole(l->avg10);
	l->avg60 = whole(l->avg60);
	l->avg300 = whole(l->avg300);
	l->total_us = 0;
}

void status_view_clear(struct status_view *v)
{
	memset(v, 0, offsetof(struct status_view, triggers));
}

void status_view_copy(struct status_view *dst, const struct status_view *src)
{
	memcpy(dst, src, offsetof(struct status_view, triggers));
	memcpy(dst->triggers, src->triggers, src->nr_triggers * sizeof(src->triggers[0]));
	memcpy(dst->last_kills, src->last_kills, src->nr_last_kills * sizeof(src->last_kills[0]));
}

/* The view with what moves on every pass at rest held still: the clock,
 * the sample count, memory and the committed amount by less than 1% (and
 * the triggers' words for them), PSI by less than a point. When this is
 * unchanged the files are not rewritten: at rest their figures may lag by
 * that much, for a minute. */
void status_view_timeless(const struct status_view *v, struct status_view *t)
{
	if (t != v)
		status_view_copy(t, v);
	t->updated_seconds = t->started_seconds;
	t->samples = 0;
	t->mem_available_kb = per_cent(t->mem_available_kb, t->mem_total_kb);
	t->swap_free_kb = per_cent(t->swap_free_kb, t->swap_total_kb);
	t->knobs.committed_as_kb = per_cent(t->knobs.committed_as_kb, t->knobs.commit_limit_kb);
	psi_coarse(&t->psi.some);
	psi_coarse(&t->psi.full);
	for (size_t i = 0; i < t->nr_triggers; i++) {
		t->triggers[i].headroom_percent = 0; /* follows the figures above */
		memset(t->triggers[i].current, 0, sizeof(t->triggers[i].current)); /* memcmp'd whole */
		t->triggers[i].usage_bytes = 0;
	}
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t size)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < size; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

uint64_t status_view_key(const struct status_view *v, struct status_view *scratch)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	status_view_timeless(v, scratch);
	h = fnv1a(h, scratch, offsetof(struct status_view, triggers));
	h = fnv1a(h, scratch->triggers, scratch->nr_triggers * sizeof(scratch->triggers[0]));
	return fnv1a(h, scratch->last_kills, scratch->nr_last_kills * sizeof(scratch->last_kills[0]));
}

static long render_into(const struct status_view *v, char *buf, size_t size,
			void (*render)(const struct status_view *, FILE *))
{
	FILE *f = fmemopen(buf, size, "w");
	long len;

	if (!f)
		return -errno;
	render(v, f);
	len = ftell(f);
	if (fclose(f) != 0 || len < 0 || (size_t)len >= size - 1)
		return -ENOBUFS;
	return len;
}

static int save_one(const struct status_view *v, const char *dir, const char *name,
		    void (*render)(const struct status_view *, FILE *))
{
	static char buf[STATUS_TEXT_MAX];
	char path[4096];
	long len;

	len = render_into(v, buf, sizeof(buf), render);
	if (len < 0)
		return (int)len;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return atomic_write_file(path, buf, (size_t)len, STATUS_FILE_MODE);
}

int status_touch(const char *dir)
{
	static const char *const names[] = { "status.json", "status.txt" };
	char path[4096];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (utimensat(AT_FDCWD, path, NULL, 0) < 0)
			return -errno;
	}
	return 0;
}

int status_save(const struct status_view *v, const char *dir, uint64_t key)
{
	static uint64_t last;
	static double last_write;
	int r;

	if (key && key == last && v->updated_seconds - last_write < STATUS_REWRITE_S && status_touch(dir) == 0)
		return 0;
	r = save_one(v, dir, "status.json", status_write_json);
	if (r == 0)
		r = save_one(v, dir, "status.txt", status_write_text);
	if (r == 0) {
		last = key;
		last_write = v->updated_seconds;
	}
	return r;
}

int status_heartbeat_open(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/heartbeat", dir);
	return open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, STATUS_FILE_MODE);
}

void status_heartbeat(int fd)
{
	if (fd >= 0)
		(void)futimens(fd, NULL);
}

/* Is <dir>/name younger than max_age_s? */
static bool recent(const char *dir, const char *name, double max_age_s)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && difftime(time(NULL), st.st_mtime) <= max_age_s;
}

int status_load(const char *dir, const char *ext, double max_age_s, char *buf, size_t size, pid_t *pid)
{
	char path[4096], txt[128], proc[64];
	struct stat st;
	ssize_t n;
	int p = 0;

	*pid = 0;
	snprintf(path, sizeof(path), "%s/status.%s", dir, ext);
	n = read_file_at(AT_FDCWD, path, buf, size);
	if (n < 0)
		return (int)n;
	if (stat(path, &st) < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/status.txt", dir);
	if (read_file_at(AT_FDCWD, path, txt, sizeof(txt)) < 0 ||
	    sscanf(txt, "oomkit daemon: pid %d,", &p) != 1 || p <= 0)
		return 0;
	*pid = p;
	snprintf(proc, sizeof(proc), "/proc/%d", p);
	if (access(proc, F_OK) < 0)
		return STATUS_STALE;
	if (difftime(time(NULL), st.st_mtime) <= max_age_s)
		return STATUS_ALIVE;
	return recent(dir, "heartbeat", max_age_s) ? STATUS_PUBLISHER_LATE : STATUS_STALE;
}
