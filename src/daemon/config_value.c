/* config_value.c - parsers of the configuration's value types (sizes,
 * durations, percentages, booleans, PSI trigger and sustained-rule specs),
 * shared by the INI file and the command line. Each returns 0 or -EINVAL;
 * the caller says what was expected. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

/* A non-negative decimal number (fraction allowed) followed by an optional
 * unit word; rest points at the unit with surrounding blanks skipped. */
static int parse_number_unit(const char *s, double *v, const char **rest)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || !isfinite(*v) || *v < 0)
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	*rest = end;
	return 0;
}

/* Does the unit (up to trailing blanks) equal one of the words? */
static bool unit_is(const char *unit, const char *word)
{
	size_t n = strlen(word);

	if (strncasecmp(unit, word, n))
		return false;
	for (unit += n; *unit; unit++)
		if (!isspace((unsigned char)*unit))
			return false;
	return true;
}

struct unit {
	const char *word;
	double scale;
};

/* A number with one of the units (scaled), at most max after scaling. */
static int parse_scaled(const char *s, const struct unit *units, size_t n, double max, double *out)
{
	const char *unit;
	double v;

	if (parse_number_unit(s, &v, &unit))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (unit_is(unit, units[i].word)) {
			v *= units[i].scale;
			if (v > max)
				return -EINVAL;
			*out = v;
			return 0;
		}
	}
	return -EINVAL;
}

int config_parse_size_kb(const char *s, unsigned long *kb)
{
	static const struct unit units[] = {
		{ "", 1 }, { "k", 1 }, { "kb", 1 }, { "kib", 1 },
		{ "m", 1024 }, { "mb", 1024 }, { "mib", 1024 },
		{ "g", 1024.0 * 1024 }, { "gb", 1024.0 * 1024 }, { "gib", 1024.0 * 1024 },
		{ "t", 1024.0 * 1024 * 1024 }, { "tib", 1024.0 * 1024 * 1024 },
	};
	double v;

	if (parse_scaled(s, units, sizeof(units) / sizeof(units[0]), (double)(1ULL << 50), &v))
		return -EINVAL;
	*kb = (unsigned long)v;
	return 0;
}

int config_parse_ms(const char *s, unsigned long *ms)
{
	static const struct unit units[] = {
		{ "", 1000 }, { "s", 1000 }, { "sec", 1000 }, { "ms", 1 },
		{ "us", 0.001 }, { "m", 60000 }, { "min", 60000 }, { "h", 3600000 },
	};
	double v;

	if (parse_scaled(s, units, sizeof(units) / sizeof(units[0]), 7 * 24 * 3600e3, &v))
		return -EINVAL;
	*ms = (unsigned long)(v + 0.5); /* v >= 0; no libm in the daemon (mk/build.mk) */
	return 0;
}

int config_parse_percent(const char *s, double *pct)
{
	const char *unit;
	double v;

	if (parse_number_unit(s, &v, &unit) || v > 100)
		return -EINVAL;
	if (*unit && !unit_is(unit, "%"))
		return -EINVAL;
	*pct = v;
	return 0;
}

int config_parse_bool(const char *s, bool *b)
{
	static const char *yes[] = { "1", "yes", "true", "on" };
	static const char *no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (unit_is(s, yes[i])) {
			*b = true;
			return 0;
		}
		if (unit_is(s, no[i])) {
			*b = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Splits s into at most n blank-separated words in buf. */
static size_t split_words(const char *s, char *buf, size_t size, char **words, size_t n)
{
	size_t nr = 0;
	char *save, *w;

	if (strlen(s) >= size)
		return n + 1;
	strcpy(buf, s);
	for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (nr == n)
			return n + 1;
		words[nr++] = w;
	}
	return nr;
}

static int parse_kind(const char *w, enum psi_kind *kind)
{
	if (!strcasecmp(w, "some"))
		*kind = PSI_SOME;
	else if (!strcasecmp(w, "full"))
		*kind = PSI_FULL;
	else
		return -EINVAL;
	return 0;
}

/* "some|full STALL WINDOW": STALL a duration or a % of WINDOW; bare numbers
 * are microseconds, as the kernel's own syntax. */
int config_parse_psi_trigger(const char *s, struct psi_trigger_spec *t)
{
	char buf[128], *w[3];
	unsigned long window_ms, stall_ms;
	struct psi_trigger_spec r = { .enabled = true };
	char *end;

	if (unit_is(s, "off") || unit_is(s, "no")) {
		*t = (struct psi_trigger_spec){ .enabled = false };
		return 0;
	}
	if (split_words(s, buf, sizeof(buf), w, 3) != 3 || parse_kind(w[0], &r.kind))
		return -EINVAL;
	r.window_us = strtoul(w[2], &end, 10);
	if (*end == '\0' && isdigit((unsigned char)w[2][0])) {
		window_ms = r.window_us / 1000;
	} else {
		if (config_parse_ms(w[2], &window_ms))
			return -EINVAL;
		r.window_us = window_ms * 1000;
	}
	if (strchr(w[1], '%')) {
		double pct;
		if (config_parse_percent(w[1], &pct) || pct <= 0)
			return -EINVAL;
		r.stall_us = (unsigned long)(pct / 100.0 * (double)r.window_us);
	} else {
		r.stall_us = strtoul(w[1], &end, 10);
		if (*end != '\0' || !isdigit((unsigned char)w[1][0])) {
			if (config_parse_ms(w[1], &stall_ms))
				return -EINVAL;
			r.stall_us = stall_ms * 1000;
		}
	}
	/* the kernel's limits: window 500 ms .. 10 s, 0 < stall <= window */
	if (r.window_us < 500000 || r.window_us > 10000000 || r.stall_us == 0 ||
	    r.stall_us > r.window_us)
		return -EINVAL;
	*t = r;
	return 0;
}

/* "some|full [avg10] PERCENT DURATION" */
int config_parse_psi_sustained(const char *s, struct psi_sustained_spec *out)
{
	char buf[128], *w[4];
	struct psi_sustained_spec r = { .enabled = true };
	size_t n, i = 1;

	if (unit_is(s, "off") || unit_is(s, "no")) {
		*out = (struct psi_sustained_spec){ .enabled = false };
		return 0;
	}
	n = split_words(s, buf, sizeof(buf), w, 4);
	if (n < 3 || n > 4 || parse_kind(w[0], &r.kind))
		return -EINVAL;
	if (n == 4 && strcasecmp(w[i++], "avg10"))
		return -EINVAL;
	if (config_parse_percent(w[i], &r.avg10_percent) || r.avg10_percent <= 0 ||
	    config_parse_ms(w[i + 1], &r.duration_ms))
		return -EINVAL;
	*out = r;
	return 0;
}
