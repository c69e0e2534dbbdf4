/* trigger.c - see trigger.h: floors, trigger texts, adaptive interval and
 * the sustained-pressure rule. Pure functions, unit-tested. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/units.h"
#include "trigger.h"

unsigned long floor_kb(const struct floor *f, unsigned long total_kb)
{
	unsigned long pct_kb = (unsigned long)((double)total_kb * f->percent / 100.0);

	if (f->percent > 0 && f->size_kb)
		return pct_kb < f->size_kb ? pct_kb : f->size_kb;
	if (f->percent > 0)
		return pct_kb;
	return f->size_kb;
}

int mem_sample_parse(const char *text, struct mem_sample *s)
{
	struct meminfo mi;

	if (meminfo_parse(text, &mi))
		return -EINVAL;
	*s = (struct mem_sample){ .mem_total_kb = mi.mem_total_kb,
				  .mem_available_kb = mi.mem_available_kb,
				  .swap_total_kb = mi.swap_total_kb, .swap_free_kb = mi.swap_free_kb,
				  .commit_limit_kb = mi.commit_limit_kb, .committed_as_kb = mi.committed_as_kb };
	return 0;
}

static double percent_of(unsigned long part, unsigned long total)
{
	return total ? 100.0 * (double)part / (double)total : 0;
}

/* "memavailable 4.8% < 5%" or, when the size part binds, "memavailable
 * 812MiB < 1GiB". */
static size_t floor_text(char *out, size_t size, const char *what, unsigned long have_kb,
			 unsigned long total_kb, const struct floor *f, unsigned long limit_kb)
{
	char have[32], lim[32];

	if (f->percent > 0 && (!f->size_kb || limit_kb < f->size_kb))
		return (size_t)snprintf(out, size, "%s %.1f%% < %g%%", what, percent_of(have_kb, total_kb),
					f->percent);
	format_kb(have_kb, have, sizeof(have));
	format_kb(limit_kb, lim, sizeof(lim));
	return (size_t)snprintf(out, size, "%s %s < %s", what, have, lim);
}

static bool below(unsigned long have_kb, unsigned long limit_kb)
{
	return limit_kb && have_kb <= limit_kb;
}

enum stage memory_stage(const struct oomkit_config *c, const struct mem_sample *s, char *text,
			size_t size)
{
	const struct floor *mem_floor[] = { &c->mem_kill, &c->mem_term };
	const struct floor *swap_floor[] = { &c->swap_kill, &c->swap_term };
	static const enum stage stages[] = { STAGE_KILL, STAGE_TERM };

	text[0] = '\0';
	if (!c->memory_enabled)
		return STAGE_NONE;
	for (size_t i = 0; i < 2; i++) {
		unsigned long mem_lim = floor_kb(mem_floor[i], s->mem_total_kb);
		unsigned long swap_lim = floor_kb(swap_floor[i], s->swap_total_kb);
		size_t n;

		if (!below(s->mem_available_kb, mem_lim))
			continue;
		/* no swap at all: nothing to wait for, the floor is memory alone */
		if (s->swap_total_kb && !below(s->swap_free_kb, swap_lim))
			continue;
		n = floor_text(text, size, "memavailable", s->mem_available_kb, s->mem_total_kb,
			       mem_floor[i], mem_lim);
		if (s->swap_total_kb && n < size)
			floor_text(text + n, size - n, ", swapfree", s->swap_free_kb, s->swap_total_kb,
				   swap_floor[i], swap_lim);
		return stages[i];
	}
	return STAGE_NONE;
}

enum stage memcg_stage(const struct cgroup_watch_spec *w, const char *dir, uint64_t usage_bytes,
		       uint64_t limit_bytes, char *text, size_t size)
{
	unsigned long limit_kb, headroom_kb;
	char lim[32];
	enum stage st = STAGE_NONE;

	text[0] = '\0';
	if (limit_bytes == UINT64_MAX || limit_bytes >= (1ULL << 60) || limit_bytes == 0)
		return STAGE_NONE;
	limit_kb = (unsigned long)(limit_bytes / 1024);
	headroom_kb = usage_bytes >= limit_bytes ? 0 : (unsigned long)((limit_bytes - usage_bytes) / 1024);
	if (below(headroom_kb, floor_kb(&w->kill, limit_kb)))
		st = STAGE_KILL;
	else if (below(headroom_kb, floor_kb(&w->term, limit_kb)))
		st = STAGE_TERM;
	if (st != STAGE_NONE) {
		format_kb(limit_kb, lim, sizeof(lim));
		snprintf(text, size, "memcg %s %.1f%% of %s", dir,
			 100.0 * (double)usage_bytes / (double)limit_bytes, lim);
	}
	return st;
}

unsigned long next_interval_ms(unsigned long headroom_kb, double fill_kb_per_s,
			       double assumed_kb_per_s, unsigned long min_ms, unsigned long max_ms)
{
	double rate = fill_kb_per_s > assumed_kb_per_s ? fill_kb_per_s : assumed_kb_per_s;
	double ms = rate > 0 ? 1000.0 * (double)headroom_kb / rate : (double)max_ms;

	if (ms < (double)min_ms)
		return min_ms;
	if (ms > (double)max_ms)
		return max_ms;
	return (unsigned long)ms;
}

bool psi_sustained_check(const struct psi_sustained_spec *r, struct psi_sustained_state *st,
			 double avg10, uint64_t now)
{
	if (!r->enabled || avg10 <= r->avg10_percent) {
		st->above_since_ns = 0;
		return false;
	}
	if (!st->above_since_ns)
		st->above_since_ns = now;
	return now - st->above_since_ns >= (uint64_t)r->duration_ms * 1000000ULL;
}

void psi_trigger_text(const struct psi_trigger_spec *t, const char *where, char *text, size_t size)
{
	snprintf(text, size, "psi%s%s %s %.0f%% %gs", where[0] ? " " : "", where,
		 t->kind == PSI_FULL ? "full" : "some",
		 100.0 * (double)t->stall_us / (double)t->window_us, (double)t->window_us / 1e6);
}
