/* kreport_scan.c - multi-needle candidate search for kreport_scan.h.
 * Each needle is pre-filtered by one adjacent byte pair inside it, chosen
 * to be rare in ordinary logs; a 16-byte block is tested for all pairs with
 * two shared loads (SSE2; a byte loop elsewhere), and only the positions
 * the movemask names are verified with memcmp. */
#include "kreport_scan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Every line that can open an OOM report contains one of these: "oom"
 * (the header "invoked oom-killer", "oom-kill:", "oom_reaper:", the task
 * table header, memory.oom.group, and the syslog tags or journal fields of
 * earlyoom, systemd-oomd and oomd), "of memory" ("Out of memory", "Memory
 * cgroup out of memory", panic_on_oom panics), "Kill" (the kill lines of
 * every era, lmkd), "OOM" (sysrq "Manual OOM execution", "OOM victim"). */
static const struct needle {
	const char *text;
	unsigned char len, pair; /* pair: offset of the filtered byte pair */
} needles[] = {
	{ "oom", 3, 0 },
	{ "of memory", 9, 7 }, /* "ry" */
	{ "Kill", 4, 0 },
	{ "OOM", 3, 0 },
	{ "cpuset=", 7, 5 }, /* "t=": the <= 4.19 cpuset line, for reports cut before it */
};

#define NNEEDLES (sizeof(needles) / sizeof(needles[0]))
#define BLOCK 16
#define LOOKAHEAD 8 /* >= the longest needle: blocks may read past their end */

/* p is a pair position; returns the line-relevant match start. */
static const char *match_start(const char *p, const char *start, const char *end)
{
	for (size_t i = 0; i < NNEEDLES; i++) {
		const struct needle *n = &needles[i];

		if (p - start >= n->pair && (size_t)(end - (p - n->pair)) >= n->len &&
		    !memcmp(p - n->pair, n->text, n->len))
			return p - n->pair;
	}
	return NULL;
}

static const char *scan_bytes(const char *p, const char *start, const char *end)
{
	for (; p < end; p++) {
		const char *m = match_start(p, start, end);

		if (m)
			return m;
	}
	return NULL;
}

const char *kr_scan_candidate(const char *p, const char *end)
{
	const char *start = p;
#ifdef __SSE2__
	__m128i a[NNEEDLES], b[NNEEDLES];

	for (size_t i = 0; i < NNEEDLES; i++) {
		a[i] = _mm_set1_epi8(needles[i].text[needles[i].pair]);
		b[i] = _mm_set1_epi8(needles[i].text[needles[i].pair + 1]);
	}
	while (end - p >= BLOCK + LOOKAHEAD) {
		__m128i x = _mm_loadu_si128((const __m128i *)p);
		__m128i y = _mm_loadu_si128((const __m128i *)(p + 1));
		__m128i hit = _mm_setzero_si128();

		for (size_t i = 0; i < NNEEDLES; i++)
			hit = _mm_or_si128(hit, _mm_and_si128(_mm_cmpeq_epi8(x, a[i]),
							      _mm_cmpeq_epi8(y, b[i])));
		unsigned mask = (unsigned)_mm_movemask_epi8(hit);
		while (mask) {
			const char *m = match_start(p + __builtin_ctz(mask), start, end);

			if (m)
				return m;
			mask &= mask - 1;
		}
		p += BLOCK;
	}
#endif
	return scan_bytes(p, start, end);
}

size_t kr_count_newlines(const char *p, const char *end)
{
	size_t n = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}
