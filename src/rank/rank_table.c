/* rank_table.c - `oomkit rank`'s human table, made to fit: on a terminal
 * of 80 columns one MEM column (rss + swap + page tables, what
 * oom_badness() counts) and no raw points; 110 columns and wider, or
 * --wide, rss, swap and page tables apart and the points. On a terminal
 * every line is cut at its width (--wide never cuts). Users are named as
 * ps(1) names them (--numeric: uids), names print as text on a UTF-8
 * terminal (core/json.h text_escape), sizes in the one unit style. */
#include "rank.h"

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "core/json.h"
#include "core/k8s.h"
#include "core/units.h"

#define WIDE_FROM 110 /* the wide row's 96 columns and room for its note */
#define LINE_MAX_BYTES 1024

struct line {
	char text[LINE_MAX_BYTES];
	size_t len;
};

/* Display columns of UTF-8 text (a byte that is no character counts 1). */
static int text_cols(const char *s, size_t len, size_t *fit_bytes, int limit)
{
	mbstate_t st = { 0 };
	size_t i = 0;
	int w = 0;

	while (i < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);
		int c = 1;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			n = 1;
			memset(&st, 0, sizeof(st));
		} else if ((c = wcwidth(wc)) < 0) {
			c = 1;
		}
		if (w + c > limit)
			break;
		w += c;
		i += n;
	}
	if (fit_bytes)
		*fit_bytes = i;
	return w;
}

/* Appends s in a cell of width columns (right-aligned when right), cut to
 * it; width 0: s as it is. A space separates cells. */
static void cell(struct line *l, const char *s, int width, bool right)
{
	size_t fit, len = strlen(s);
	int w = text_cols(s, len, &fit, width ? width : INT_MAX);
	int pad = width > w ? width - w : 0;

	if (l->len + fit + (size_t)pad + 2 >= sizeof(l->text))
		return;
	if (l->len)
		l->text[l->len++] = ' ';
	if (right)
		l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "%*s", pad, "");
	memcpy(l->text + l->len, s, fit);
	l->len += fit;
	if (!right)
		l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "%*s", pad, "");
	l->text[l->len] = '\0';
}

/* The name ps(1) shows for uid: up to 8 characters, a longer one cut to 7
 * and '+'; the number when there is no name (or with --numeric). */
static const char *user_of(uid_t uid, bool numeric, char *out, size_t size)
{
	static struct { uid_t uid; char name[16]; } cache[64];
	static size_t nr;
	struct passwd pw, *res = NULL;
	char buf[1024];

	for (size_t i = 0; !numeric && i < nr; i++)
		if (cache[i].uid == uid)
			return snprintf(out, size, "%s", cache[i].name), out;
	if (numeric || getpwuid_r(uid, &pw, buf, sizeof(buf), &res) || !res)
		snprintf(out, size, "%u", (unsigned)uid);
	else if (text_cols(res->pw_name, strlen(res->pw_name), NULL, INT_MAX) > 8)
		snprintf(out, size, "%.7s+", res->pw_name);
	else
		snprintf(out, size, "%s", res->pw_name);
	if (!numeric && nr < sizeof(cache) / sizeof(cache[0])) {
		cache[nr].uid = uid;
		snprintf(cache[nr++].name, sizeof(cache[0].name), "%.15s", out);
	}
	return out;
}

static void header(struct line *l, bool wide)
{
	cell(l, "PID", 7, true);
	cell(l, "USER", 8, false);
	cell(l, "NAME", 15, false);
	if (wide) {
		cell(l, "RSS", 9, true);
		cell(l, "SWAP", 9, true);
		cell(l, "PGTBL", 9, true);
	} else {
		cell(l, "MEM", 9, true);
	}
	cell(l, "ADJ", 5, true);
	if (wide)
		cell(l, "POINTS", 8, true);
	cell(l, "SCORE", 5, true);
	cell(l, "KERN", 4, true);
	cell(l, "SHARE", 6, true);
	cell(l, "NOTE", 0, false);
}

static void sizes(struct line *l, const struct task_info *t, bool wide)
{
	char a[24];

	if (!wide) {
		format_kb(t->rss_anon_kb + t->rss_file_kb + t->rss_shmem_kb + t->swap_kb + t->pgtables_kb,
			  a, sizeof(a));
		cell(l, a, 9, true);
		return;
	}
	format_kb(task_rss_kb(t), a, sizeof(a));
	cell(l, a, 9, true);
	format_kb(t->swap_kb, a, sizeof(a));
	cell(l, a, 9, true);
	format_kb(t->pgtables_kb, a, sizeof(a));
	cell(l, a, 9, true);
}

static void row(struct line *l, const struct rank_row *r, const struct oom_control *oc,
		const struct rank_table_opts *o, bool wide)
{
	char s[TASK_COMM_MAX * 4 + 64], pod[48];
	const struct task_info *t = r->t;
	struct k8s_pod k8s;

	snprintf(s, sizeof(s), "%d", (int)t->pid);
	cell(l, s, 7, true);
	cell(l, user_of(t->uid, o->numeric, s, sizeof(s)), 8, false);
	cell(l, text_escape(t->comm, s, sizeof(s)), 15, false);
	sizes(l, t, wide);
	snprintf(s, sizeof(s), "%d", t->oom_score_adj);
	cell(l, s, 5, true);
	if (wide) {
		snprintf(s, sizeof(s), r->unkillable ? "-" : "%ld", r->points);
		cell(l, s, 8, true);
	}
	snprintf(s, sizeof(s), "%lu", r->score);
	cell(l, s, 5, true);
	snprintf(s, sizeof(s), t->kernel_oom_score < 0 ? "?" : "%ld", t->kernel_oom_score);
	cell(l, s, 4, true);
	snprintf(s, sizeof(s), "%.1f%%", 100.0 * (double)r->mem_pages / (double)oc->totalpages);
	cell(l, s, 6, true);
	k8s_decode(t->memcg, &k8s);
	k8s_short(&k8s, pod, sizeof(pod));
	snprintf(s, sizeof(s), "%s%s%s", r->victim ? "<- victim" : r->unkillable ? r->unkillable : "",
		 pod[0] && (r->victim || r->unkillable) ? " " : "", pod);
	if (s[0])
		cell(l, s, 0, false);
}

void rank_put_line(const char *text, int width)
{
	size_t len = strlen(text), fit = len;

	if (width > 0)
		text_cols(text, len, &fit, width);
	while (fit > 0 && text[fit - 1] == ' ')
		fit--;
	printf("%.*s\n", (int)fit, text);
}

int rank_terminal_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	return 0;
}

void rank_print_table(const struct oom_control *oc, const struct rank *r, size_t n,
		      const struct rank_table_opts *o)
{
	int width = o->wide ? 0 : o->width;
	bool wide = o->wide || width >= WIDE_FROM;
	struct line l = { .len = 0 };

	header(&l, wide);
	rank_put_line(l.text, width);
	for (size_t i = 0; i < n; i++) {
		l.len = 0;
		row(&l, &r->rows[i], oc, o, wide);
		rank_put_line(l.text, width);
	}
}
