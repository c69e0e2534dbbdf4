/* rank_knobs.c - what the kernel would do now, above rank's table and in
 * its --json: the OOM knobs off their defaults (every one with
 * --verbose) in plain words, from core's knobs.h. Lines are wrapped at 80
 * columns, continued with an indent. */
#include "rank.h"

#include <string.h>

#define WRAP 80

/* Words of text, at most WRAP columns a line, continuation lines indented. */
static void print_wrapped(FILE *f, const char *text)
{
	size_t col = 0, indent = 4;

	for (const char *p = text; *p;) {
		size_t w = strcspn(p, " ");

		if (col && col + 1 + w > WRAP) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)w, p);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void rank_knobs_read(struct oom_knobs *k, const char *proc_root, const struct oom_control *oc,
		     const struct rank *r)
{
	struct memcg_roots roots;

	oom_knobs_read(proc_root, k);
	memset(&roots, 0, sizeof(roots));
	if (memcg_roots_find(proc_root, &roots) < 0)
		return;
	oom_knobs_read_group(k, &roots, oc->constraint == CONSTRAINT_MEMCG ? oc->memcg : NULL,
			     r->victim ? r->victim->t->memcg : NULL);
}

void rank_knobs_print(FILE *f, const struct oom_knobs *k, const struct oom_control *oc, bool verbose)
{
	struct knob_line lines[KNOB_LINES_MAX];
	size_t n = oom_knobs_lines(k, oc->constraint, lines, KNOB_LINES_MAX);

	for (size_t i = 0; i < n; i++)
		if (verbose || !lines[i].is_default)
			print_wrapped(f, lines[i].text);
}
