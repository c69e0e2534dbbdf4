/* event.c - the low-level pieces of the parser (event.h): an event's
 * initial state, its counters and constraint, bounded copies and strict
 * numbers. Every parser file uses these; they call nothing else in
 * explain/, so the calls between the parser's files form a tree. */
#include "event.h"

#include <ctype.h>
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
