/* explain.h - what `oomkit explain` concludes from one parsed event: the
 * kernel era, totalpages, the task table re-ranked with that era's
 * oom_badness(), whether the victim was the top candidate and why not;
 * and the two outputs (human text, JSON). */
#ifndef OOMKIT_EXPLAIN_H
#define OOMKIT_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/badness.h"
#include "gfp.h"
#include "core/json.h"
#include "event.h"

enum rank_verdict { RANK_UNKNOWN, RANK_TOP, RANK_NOT_TOP };

struct explain_rank {
	enum oom_era era;
	bool era_from_release;      /* else guessed from the report's shape */
	enum gfp_era gfp_era;
	char gfp_decoded[512];      /* names: as printed, or from the era's table */
	unsigned long page_kb;
	bool page_kb_assumed;
	unsigned long totalpages;   /* 0 when unknown */
	ssize_t top, victim_row;    /* rows of the task table, -1 none */
	long top_points, victim_points;
	enum rank_verdict verdict;
	char why[320];
};

void explain_rank(const struct kr_event *ev, struct explain_rank *r);

/* Task table row in kB (pages times the page size). KR_UNSET stays. */
int64_t explain_pages_kb(int64_t pages, unsigned long page_kb);

/* a * b, saturated to the int64_t range (figures come from hostile logs). */
int64_t explain_mul(int64_t a, int64_t b);

/* A kernel OOM knob the report shows (explain_knobs.c). */
struct explain_knob {
	const char *knob;           /* "vm.panic_on_oom", "memory.oom.group" */
	long value;                 /* the value the report implies */
	bool certain;               /* the report says so (else: the likely reason) */
	char why[240];
};
#define EXPLAIN_KNOBS_MAX 4

size_t explain_knobs(const struct kr_event *ev, struct explain_knob *out, size_t max);
/* The vm.panic_on_oom value a panic's message implies: 1, 2, or 0 (no
 * panic, or one the knob did not cause). */
long explain_panic_on_oom(const struct kr_event *ev);

void explain_json_event(struct json *j, const struct kr_event *ev, const struct explain_rank *r);
void explain_text_event(FILE *f, const struct kr_event *ev, const struct explain_rank *r, size_t index);
/* The one-line summary of an event, for the closing list. */
void explain_text_line(char *out, size_t size, const struct kr_event *ev);

#endif
