/* event.c - the low-level pieces of the parser (event.h): an event's
 * initial state, its counters and constraint, bounded copies and strict
 * numbers, the notes on what could not be read, and what is decided once
 * an event is complete. Every parser file uses these; they call nothing
 * else in explain/, so the calls between the parser's files form a tree. */
#include "event.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kr_event_init(struct kr_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	strcpy(ev->source, "kernel");
	ev->kernel_us = ev->caller = ev->first_line = ev->last_line = KR_UNSET;
	ev->invoker_pid = ev->order = ev->invoker_oom_score_adj = ev->invoker_oom_adj = KR_UNSET;
	ev->oc.order = 0;
	for (struct kr_counter *c = &ev->mc_memory; c <= &ev->mc_swap; c++)
		c->usage_kb = c->limit_kb = c->failcnt = KR_UNSET;
	ev->page_size_kb = ev->hugepages_total = ev->hugepages_free = ev->hugepages_size_kb = KR_UNSET;
	ev->pagecache_pages = ev->swapcache_pages = ev->free_swap_kb = ev->total_swap_kb = KR_UNSET;
	ev->ram_pages = ev->highmem_pages = ev->reserved_pages = ev->slab_unreclaimable_top_kb = KR_UNSET;
	ev->select_pid = ev->select_score = KR_UNSET;
	for (int64_t *f = &ev->victim.pid; f <= &ev->victim.oom_score_adj; f++)
		*f = KR_UNSET;
	ev->reaped = -1;
	ev->reaped_anon_rss_kb = ev->reaped_file_rss_kb = ev->reaped_shmem_rss_kb = KR_UNSET;
	ev->suppressed = ev->badness = KR_UNSET;
}

void kr_note(struct kr_event *ev, const char *fmt, ...)
{
	char note[sizeof(ev->notes[0])];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(note, sizeof(note), fmt, ap);
	va_end(ap);
	for (int i = 0; i < ev->nr_notes; i++)
		if (!strcmp(ev->notes[i], note))
			return;
	if (ev->nr_notes < KR_MAX_NOTES)
		memcpy(ev->notes[ev->nr_notes++], note, sizeof(note));
}

int64_t kr_stat_get(const struct kr_stat *s, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s[i].name, name))
			return s[i].value;
	return KR_UNSET;
}

bool kr_set_constraint(struct kr_event *ev, const char *v, size_t n)
{
	static const char *const names[] = { "CONSTRAINT_NONE", "CONSTRAINT_CPUSET",
					      "CONSTRAINT_MEMORY_POLICY", "CONSTRAINT_MEMCG" };

	for (size_t i = 0; i < 4; i++)
		if (n == strlen(names[i]) && !memcmp(v, names[i], n)) {
			ev->oc.constraint = (enum oom_constraint)i;
			ev->constraint_known = true;
			return true;
		}
	return false;
}

bool kr_num(const char *s, int64_t *v, const char **end)
{
	char *e;
	long long x;

	if (!isdigit((unsigned char)*s) && !(*s == '-' && isdigit((unsigned char)s[1])))
		return false;
	x = strtoll(s, &e, 10);
	/* hostile input: keep every figure within 2^53 (exact in JSON too), so
	 * that kB and page arithmetic downstream cannot overflow */
	*v = x > KR_NUM_MAX ? KR_NUM_MAX : x < -KR_NUM_MAX ? -KR_NUM_MAX : x;
	if (end)
		*end = e;
	return true;
}

int64_t kr_after(const char *m, const char *key)
{
	const char *p = strstr(m, key);
	int64_t v;

	if (!p || !kr_num(p + strlen(key), &v, NULL))
		return KR_UNSET;
	return v;
}

/* Does this kernel have an oom_reaper (4.6+)? From the release, else from
 * what only 4.5+ reports print. */
static bool has_oom_reaper(const struct kr_event *ev)
{
	if (!strcmp(ev->source, "oomkit"))
		return true;
	if (ev->release[0]) {
		char *e;
		long major = strtol(ev->release, &e, 10), minor = *e == '.' ? strtol(e + 1, NULL, 10) : 0;

		return major > 4 || (major == 4 && minor >= 6);
	}
	return ev->gfp_names[0] || ev->victim.oom_score_adj != KR_UNSET || strstr(ev->task_columns, "pgtables_bytes");
}

/* What the event's own lines leave unsaid or unsure, decided once it is
 * complete. */
static void settle(struct kr_event *ev)
{
	if (ev->comm_unsure && strlen(ev->oc.invoker.comm) > 15) {
		kr_note(ev, "the invoker's name (\"%.24s...\") is longer than a kernel task name (15 bytes) "
			    "and no stack line names it: left out", ev->oc.invoker.comm);
		ev->oc.invoker.comm[0] = '\0';
	}
	/* the kill line is cut or missing: the oom-kill: summary named the victim */
	if (!ev->have_victim && ev->victim.pid != KR_UNSET && ev->victim.comm[0] && !ev->panic) {
		ev->have_victim = true;
		kr_note(ev, "no complete kill line: the victim is the one the oom-kill: summary names");
	}
	if (strstr(ev->victim.message, "(dry run)"))
		ev->dry_run = true;
	/* the memcg block's stats start with the memcg whose limit was hit */
	if (!ev->oom_memcg[0] && ev->memcg_stats_for[0] && ev->oc.constraint == CONSTRAINT_MEMCG) {
		kr_copy(ev->oom_memcg, sizeof(ev->oom_memcg), ev->memcg_stats_for, strlen(ev->memcg_stats_for));
		kr_copy(ev->oc.memcg, sizeof(ev->oc.memcg), ev->oom_memcg, strlen(ev->oom_memcg));
		kr_note(ev, "the memcg is the one the stats are printed for: the oom-kill: line does not name it");
	}
}

void kr_event_finish(struct kr_event *ev)
{
	if (ev->source[0] && !strcmp(ev->source, "kernel") && !ev->have_victim && !ev->already_exiting &&
	    !ev->no_killable && !ev->panic)
		ev->truncated_end = true;
	if (ev->page_size_kb != KR_UNSET)
		ev->oc.page_size = (unsigned long)ev->page_size_kb * 1024;
	if (ev->oc.invoker.comm[0] == '\0' && !ev->have_header &&
	    (!strcmp(ev->source, "kernel") || !strcmp(ev->source, "oomkit")))
		ev->truncated_start = true;
	settle(ev);
	/* the reaper prints only when it reaped: no line means it did not
	 * (unless the machine went down first) */
	if (ev->have_victim && ev->reaped < 0 && ev->victim.pid != KR_UNSET && !ev->dry_run && !ev->panic &&
	    (!strcmp(ev->source, "kernel") || !strcmp(ev->source, "oomkit")) && has_oom_reaper(ev))
		ev->reaped = 0;
}
