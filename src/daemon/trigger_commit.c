/* trigger_commit.c - the commit-headroom floor (see trigger_commit.h). */
#include "trigger_commit.h"

#include <stdio.h>

#include "core/units.h"

bool commit_floor_set(const struct oomkit_config *c)
{
	return c->commit_term.percent > 0 || c->commit_term.size_kb || c->commit_kill.percent > 0 ||
	       c->commit_kill.size_kb;
}

unsigned long commit_headroom_kb(const struct mem_sample *s)
{
	return s->commit_limit_kb > s->committed_as_kb ? s->commit_limit_kb - s->committed_as_kb : 0;
}

static void commit_text(const struct mem_sample *s, const struct floor *f, unsigned long limit_kb, char *text,
			size_t size)
{
	unsigned long head = commit_headroom_kb(s);
	char have[32], lim[32], used[32], cl[32];
	int n;

	if (f->percent > 0 && (!f->size_kb || limit_kb < f->size_kb)) {
		n = snprintf(text, size, "commit headroom %.1f%% < %g%%",
			     100.0 * (double)head / (double)s->commit_limit_kb, f->percent);
	} else {
		format_kb(head, have, sizeof(have));
		format_kb(limit_kb, lim, sizeof(lim));
		n = snprintf(text, size, "commit headroom %s < %s", have, lim);
	}
	format_kb(s->committed_as_kb, used, sizeof(used));
	format_kb(s->commit_limit_kb, cl, sizeof(cl));
	if (n > 0 && (size_t)n < size)
		snprintf(text + n, size - (size_t)n, " (Committed_AS %s of CommitLimit %s)", used, cl);
}

enum stage commit_stage(const struct oomkit_config *c, const struct mem_sample *s, bool enforced, char *text,
			size_t size)
{
	const struct floor *floors[] = { &c->commit_kill, &c->commit_term };
	static const enum stage stages[] = { STAGE_KILL, STAGE_TERM };
	unsigned long head = commit_headroom_kb(s);

	text[0] = '\0';
	if (!enforced || !s->commit_limit_kb)
		return STAGE_NONE;
	for (size_t i = 0; i < 2; i++) {
		unsigned long lim = floor_kb(floors[i], s->commit_limit_kb);

		if (lim && head <= lim) {
			commit_text(s, floors[i], lim, text, size);
			return stages[i];
		}
	}
	return STAGE_NONE;
}

unsigned long commit_interval_ms(const struct oomkit_config *c, const struct mem_sample *s, bool enforced,
				 double assumed_kb_per_s)
{
	unsigned long head = commit_headroom_kb(s), lim = floor_kb(&c->commit_kill, s->commit_limit_kb);

	if (!enforced || !commit_floor_set(c) || !s->commit_limit_kb)
		return c->interval_max_ms;
	return next_interval_ms(head > lim ? head - lim : 0, 0, assumed_kb_per_s, c->interval_min_ms,
				c->interval_max_ms);
}
