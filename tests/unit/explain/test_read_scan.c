/* test_read_scan.c - the vector candidate search finds exactly what a
 * naive search finds (first needle, newlines before it) on random text
 * with needles planted at every alignment, block edge and buffer end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "explain/read_scan.h"

static const char *const needles[] = { "oom", "of memory", "Kill", "OOM", "cpuset=", "sending SIG" };

static const char *naive(const char *p, const char *end, size_t *nl)
{
	*nl = 0;
	for (const char *q = p; q < end; q++) {
		for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++) {
			size_t n = strlen(needles[i]);

			if ((size_t)(end - q) >= n && !memcmp(q, needles[i], n))
				return q;
		}
		*nl += *q == '\n';
	}
	return NULL;
}

static void check(const char *buf, size_t len)
{
	size_t nl_fast, nl_slow;
	const char *fast = kr_scan_candidate(buf, buf + len, &nl_fast);
	const char *slow = naive(buf, buf + len, &nl_slow);

	assert_ptr_equal(fast, slow);
	assert_int_equal(nl_fast, nl_slow);
}

static void random_text_with_needles(void **state)
{
	static char buf[512];
	const char alphabet[] = "abcdefghijklmnopqrstuvwxyz ABCKOMSIG:=\n_o";

	(void)state;
	srand(42);
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)rand() % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
		if (len > 16 && rand() % 2) {
			const char *n = needles[rand() % 6];
			size_t at = (size_t)rand() % (len - strlen(n) + 1);

			memcpy(buf + at, n, strlen(n));
		}
		check(buf, len);
	}
}

static void needle_at_every_offset(void **state)
{
	static char buf[200];

	(void)state;
	for (size_t n = 0; n < 6; n++)
		for (size_t at = 0; at + strlen(needles[n]) <= sizeof(buf); at++) {
			memset(buf, 'x', sizeof(buf));
			for (size_t i = 7; i < sizeof(buf); i += 13)
				buf[i] = '\n';
			memcpy(buf + at, needles[n], strlen(needles[n]));
			check(buf, sizeof(buf));
			check(buf, at + strlen(needles[n])); /* ending right at the buffer end */
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_text_with_needles),
		cmocka_unit_test(needle_at_every_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
