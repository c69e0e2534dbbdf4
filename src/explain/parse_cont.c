/* parse_cont.c - which pieces of a split record belong together
 * (parse_cont.h). Judged by shape alone: a piece is incomplete when a
 * field its line always ends with is missing. */
#include "parse_cont.h"

#include <ctype.h>
#include <string.h>

#include "event.h"
#include "parse_fields.h"

/* "Killed process 103 (bad" + "name) ...": the name's '(' is not closed */
static bool killed_name_open(const char *m)
{
	const char *k = strstr(m, "Killed process ");

	return k && strchr(k, '(') && !strchr(strchr(k, '('), ')');
}

/* "hog invoked oom-killer:" and nothing after it (m is n bytes long) */
static bool header_wrapped(const char *m, size_t n)
{
	return n > 20 && m[n - 1] == ':' && !strcmp(m + n - 20, " invoked oom-killer:");
}

/* A kill line wrapped after "Killed" or after one of its ", " */
static bool killed_cut(const char *m, size_t n)
{
	const char *k;

	if (n < 8 || (m[n - 1] != ',' && m[n - 1] != 'd'))
		return false;
	if (m[n - 1] == 'd')
		return !strcmp(m + n - 7, " Killed");
	k = strstr(m, "Killed process ");
	return k && strchr(k, ')');
}

bool kr_needs_rest(const char *m)
{
	size_t n = strlen(m);

	if (killed_cut(m, n) || header_wrapped(m, n)) /* wrapped after "Killed", a ',' or "oom-killer:" */
		return true;
	if (!strncmp(m, "Node ", 5) && !strchr(m, ':') && strlen(m) < 10)
		return true;
	if (!strncmp(m, "Task in ", 8) && !strstr(m, "limit of "))
		return true;
	if (!strncmp(m, "oom-kill:", 9) && !strstr(m, ",uid="))
		return true;
	if (strstr(m, " invoked oom-killer: ") && !strstr(m, "oom_score_adj=") && !strstr(m, "oom_adj=") &&
	    !strstr(m, "oomkilladj="))
		return true;
	return killed_name_open(m);
}

bool kr_is_fragment_of(const char *prev, const char *m)
{
	const char *p = kr_skip_sp(prev);

	if (kr_starts(p, "Node ") && !strchr(p, ':')) /* lone "Node 0 " */
		return kr_zone_name(m, strcspn(m, ": "));
	size_t n = strlen(p);

	if (header_wrapped(p, n))
		return kr_starts(kr_skip_sp(m), "gfp_mask=") || kr_starts(kr_skip_sp(m), "trigger=");
	if (killed_cut(p, n)) /* "... Killed" + "process N", or "..kB," + "anon-rss:.." */
		return kr_starts(m, "process ") || (islower((unsigned char)*m) && strchr(m, ':') &&
						    strcspn(m, ":") < strcspn(m, " ")) || kr_starts(m, "UID");
	if (n && p[n - 1] == ',' && strstr(p, " invoked oom-killer: ")) /* wrapped after a value */
		return islower((unsigned char)*m) && strchr(m, '=') && strcspn(m, "=") < strcspn(m, " ,");
	if (strstr(p, " invoked oom-killer: "))
		return *m == '(' || *m == ',' || isdigit((unsigned char)*m);
	if (kr_starts(p, "Task in ") && !strstr(p, "limit of "))
		return *m == '/' || kr_starts(m, " killed") || kr_starts(m, "killed") || kr_starts(m, " as a result");
	if (kr_starts(p, "oom-kill:") && !strstr(p, ",uid="))
		return *m == ',';
	return false;
}

bool kr_record_continues(const char *pending)
{
	if (killed_name_open(pending))
		return true;
	return !strncmp(pending, "oom-kill:", 9) && strstr(pending, ",task=") && !strstr(pending, ",uid=");
}

/* The whole comm is at most TASK_COMM_LEN - 1 = 15 bytes, so a longer
 * second piece (a panic line printed in the same microsecond) is not part
 * of it. */
bool kr_comm_continues(const char *first, const char *piece)
{
	return strlen(first) + 1 + strlen(piece) <= 15;
}

bool kr_join_space(const char *prev, size_t n, const char *m)
{
	return prev[n - 1] != ' ' && m[0] != ' ' &&
	       (!strncmp(prev, "Node ", 5) || (n >= 2 && !strncmp(prev + n - 2, "of", 2)) || strchr(":,d", prev[n - 1]));
}
