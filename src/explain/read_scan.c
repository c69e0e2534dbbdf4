/* read_scan.c - multi-needle candidate search for read_scan.h.
 * Each needle is pre-filtered by one adjacent byte pair inside it, chosen
 * to be rare in ordinary logs; a block is tested for all pairs with two
 * shared loads, the newlines in it are counted in the same pass, and only
 * the positions the movemask names are verified with memcmp. x86-64: AVX2
 * (32-byte blocks) when the CPU has it, else SSE2; elsewhere a byte loop. */
#include "read_scan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifdef __x86_64__
#include <immintrin.h>
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
	{ "sending SIG", 11, 8 }, /* "SI": earlyoom's own output, no syslog tag */
	{ ", comm: ", 8, 5 }, /* "m:": the <= 3.x stack line an excerpt may start at */
};

#define NNEEDLES (sizeof(needles) / sizeof(needles[0]))
#define LOOKAHEAD 8 /* the pair's second byte is read one past the block */

/* p is a pair position; returns the match start or NULL. */
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

static const char *scan_bytes(const char *p, const char *start, const char *end, size_t *nl)
{
	for (; p < end; p++) {
		const char *m = match_start(p, start, end);

		if (m) /* m <= p, and no needle holds a newline */
			return m;
		*nl += *p == '\n';
	}
	return NULL;
}

/* Verifies the hits of one block (bit k = pair at p + k); on a match
 * returns it and adds the newlines before it to *nl. */
static const char *block_hits(const char *p, uint32_t hits, uint32_t newlines, const char *start,
			      const char *end, size_t *nl)
{
	while (hits) {
		int k = __builtin_ctz(hits);
		const char *m = match_start(p + k, start, end);

		if (m) {
			/* newlines strictly before m (a match never spans one) */
			uint32_t below = m >= p ? (uint32_t)((1ull << (m - p)) - 1) : 0;

			*nl += (size_t)__builtin_popcount(newlines & below);
			return m;
		}
		hits &= hits - 1;
	}
	*nl += (size_t)__builtin_popcount(newlines);
	return NULL;
}

#ifdef __x86_64__
__attribute__((target("avx2"))) static const char *scan_avx2(const char *p, const char *end, size_t *nl,
							      const char **stop)
{
	const char *start = p;
	__m256i a[NNEEDLES], b[NNEEDLES], lf = _mm256_set1_epi8('\n');

	for (size_t i = 0; i < NNEEDLES; i++) {
		a[i] = _mm256_set1_epi8(needles[i].text[needles[i].pair]);
		b[i] = _mm256_set1_epi8(needles[i].text[needles[i].pair + 1]);
	}
	while (end - p >= 32 + LOOKAHEAD) {
		__m256i x = _mm256_loadu_si256((const __m256i *)p);
		__m256i y = _mm256_loadu_si256((const __m256i *)(p + 1));
		__m256i hit = _mm256_setzero_si256();

		for (size_t i = 0; i < NNEEDLES; i++)
			hit = _mm256_or_si256(hit, _mm256_and_si256(_mm256_cmpeq_epi8(x, a[i]), _mm256_cmpeq_epi8(y, b[i])));
		uint32_t hits = (uint32_t)_mm256_movemask_epi8(hit);
		uint32_t newlines = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, lf));

		if (hits) {
			const char *m = block_hits(p, hits, newlines, start, end, nl);

			if (m)
				return m;
		} else {
			*nl += (size_t)__builtin_popcount(newlines);
		}
		p += 32;
	}
	*stop = p;
	return NULL;
}

static const char *scan_sse2(const char *p, const char *end, size_t *nl, const char **stop)
{
	const char *start = p;
	__m128i a[NNEEDLES], b[NNEEDLES], lf = _mm_set1_epi8('\n');

	for (size_t i = 0; i < NNEEDLES; i++) {
		a[i] = _mm_set1_epi8(needles[i].text[needles[i].pair]);
		b[i] = _mm_set1_epi8(needles[i].text[needles[i].pair + 1]);
	}
	while (end - p >= 16 + LOOKAHEAD) {
		__m128i x = _mm_loadu_si128((const __m128i *)p);
		__m128i y = _mm_loadu_si128((const __m128i *)(p + 1));
		__m128i hit = _mm_setzero_si128();

		for (size_t i = 0; i < NNEEDLES; i++)
			hit = _mm_or_si128(hit, _mm_and_si128(_mm_cmpeq_epi8(x, a[i]), _mm_cmpeq_epi8(y, b[i])));
		uint32_t hits = (uint32_t)_mm_movemask_epi8(hit);
		uint32_t newlines = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, lf));

		if (hits) {
			const char *m = block_hits(p, hits, newlines, start, end, nl);

			if (m)
				return m;
		} else {
			*nl += (size_t)__builtin_popcount(newlines);
		}
		p += 16;
	}
	*stop = p;
	return NULL;
}
#endif

const char *kr_scan_candidate(const char *p, const char *end, size_t *newlines)
{
	const char *start = p, *m;

	*newlines = 0;
#ifdef __x86_64__
	static int avx2 = -1;

	if (avx2 < 0)
		avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
	m = avx2 ? scan_avx2(p, end, newlines, &p) : scan_sse2(p, end, newlines, &p);
	if (m)
		return m;
#endif
	return scan_bytes(p, start, end, newlines);
}
