/* parse_lines.h - for the explain unit tests: parse(lines) feeds a NULL-
 * terminated array of raw log lines to a fresh parser (wrapping taken off
 * as `oomkit explain` does) and keeps every event in evs[0..nev), with its
 * ranking in ranks[]. The events' task rows are freed by the parser: only
 * their count is kept. */
#ifndef OOMKIT_TEST_PARSE_LINES_H
#define OOMKIT_TEST_PARSE_LINES_H

#include <string.h>

#include "explain/explain.h"
#include "explain/parse.h"
#include "explain/read.h"

#define MAX_EV 8

static struct kr_event evs[MAX_EV];
static struct explain_rank ranks[MAX_EV];
static int nev;

static void capture(const struct kr_event *ev, void *arg)
{
	(void)arg;
	if (nev >= MAX_EV)
		return;
	explain_rank(ev, &ranks[nev]);
	evs[nev] = *ev;
	evs[nev].tasks = NULL;
	nev++;
}

static void parse(const char *const *lines)
{
	struct kr_parser *p = kr_parser_new(capture, NULL);

	nev = 0;
	for (int i = 0; lines[i]; i++)
		kr_feed_raw_line(p, lines[i], strlen(lines[i]), i + 1);
	kr_parser_flush(p);
	kr_parser_free(p);
}

#endif
