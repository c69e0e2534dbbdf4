/* read_paste.c - what copying a log around did to its lines, undone (see
 * read_paste.h). */
#include "read_paste.h"

#include <ctype.h>
#include <string.h>

#include "event.h"

#define PASTE_CUT_MIN 40 /* a pager cuts lines at the terminal's width */
#define PASTE_DIGITS '\x01'
#define PASTE_BLANKS '\x02'

size_t paste_strip_sgr(char *s, size_t n)
{
	size_t o = 0, i = 0;

	while (i < n) {
		if (s[i] == '\x1b' && i + 1 < n && s[i + 1] == '[') {
			size_t j = i + 2;

			while (j < n && (isdigit((unsigned char)s[j]) || s[j] == ';'))
				j++;
			if (j < n && s[j] == 'm') {
				i = j + 1;
				continue;
			}
		}
		s[o++] = s[i++];
	}
	return o;
}

size_t paste_qp_decode(char *s, size_t n, bool *soft)
{
	size_t o = 0;

	*soft = false;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--; /* transports add and strip trailing blanks: they are not the text's */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=' && i + 1 == n) {
			*soft = true;
			break;
		}
		if (s[i] == '=' && i + 2 < n && kr_hexval(s[i + 1]) >= 0 && kr_hexval(s[i + 2]) >= 0) {
			s[o++] = (char)(kr_hexval(s[i + 1]) * 16 + kr_hexval(s[i + 2]));
			i += 2;
			continue;
		}
		s[o++] = s[i];
	}
	return o;
}

/* The kernel's own sentences that end in "...". */
static bool kernel_ellipsis(const char *s, size_t n)
{
	static const char own[] = "no killable processes...";

	return n >= sizeof(own) - 1 && !memcmp(s + n - (sizeof(own) - 1), own, sizeof(own) - 1);
}

size_t paste_pager_cut(const char *s, size_t n)
{
	size_t e;

	if (n < PASTE_CUT_MIN) /* a short "..." is someone's elision, not a pager's cut */
		return n;
	if (!memcmp(s + n - 3, "\xe2\x80\xa6", 3))
		e = n - 3;
	else if (!memcmp(s + n - 3, "...", 3) && !kernel_ellipsis(s, n))
		e = n - 3;
	else
		return n;
	/* the item the cut went through is unreadable: "total-vm:1767" is not 1767 */
	while (e > 0 && !strchr(" ,|(", s[e - 1]))
		e--;
	/* an unclosed "(names" group after the last value separator goes too */
	for (size_t i = e; i > 0 && s[i - 1] != ' ' && s[i - 1] != ','; i--)
		if (s[i - 1] == '(' && !memchr(s + i, ')', e - i)) {
			e = i - 1;
			break;
		}
	while (e > 0 && strchr(" ,|", s[e - 1]))
		e--;
	return e;
}

/* Kernel messages of an OOM report that always start the message. */
static const char *const anchors[] = {
	"CPU: ", "Pid: ", "Mem-Info:", "Mem-info:", "Call Trace:", "Hardware name: ", "oom-kill:",
	"Tasks state", "Out of memory", "Memory cgroup", "Kernel panic", "lowmem_reserve[]:", "Free swap",
	"Total swap", "oom_reaper:", "Task in ", "[  pid  ]", "[ pid ]",
};

long paste_anchor(const char *s, size_t n)
{
	long best = -1;

	if (n > PASTE_SHAPE_MAX)
		n = PASTE_SHAPE_MAX;
	for (size_t i = 0; i < sizeof(anchors) / sizeof(anchors[0]); i++) {
		const char *a = memmem(s, n, anchors[i], strlen(anchors[i]));

		if (a && (best < 0 || a - s < best))
			best = a - s;
	}
	return best;
}

void paste_learn(struct paste_shape *sh, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o < sizeof(sh->tok);) {
		if (isdigit((unsigned char)s[i])) {
			while (i < n && isdigit((unsigned char)s[i]))
				i++;
			sh->tok[o++] = PASTE_DIGITS;
		} else if (s[i] == ' ' || s[i] == '\t') {
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			sh->tok[o++] = PASTE_BLANKS;
		} else {
			sh->tok[o++] = s[i++];
		}
	}
	sh->n = o;
}

size_t paste_match(const struct paste_shape *sh, const char *s, size_t n)
{
	size_t i = 0;

	if (!sh->n)
		return 0;
	for (size_t t = 0; t < sh->n; t++) {
		if (sh->tok[t] == PASTE_DIGITS || sh->tok[t] == PASTE_BLANKS) {
			bool digits = sh->tok[t] == PASTE_DIGITS;
			size_t start = i;

			while (i < n && (digits ? isdigit((unsigned char)s[i]) : s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i == start)
				return 0;
		} else if (i >= n || s[i++] != sh->tok[t]) {
			return 0;
		}
	}
	return i;
}
