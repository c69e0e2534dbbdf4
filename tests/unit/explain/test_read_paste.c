/* test_read_paste.c - what a paste did to a line comes off: colours,
 * quoted-printable, pager cuts (a cut value is dropped, never shortened),
 * and a prefix learned from a line with a kernel message that starts
 * lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "explain/read_paste.h"

static char buf[256];

/* in, copied to buf for a function that rewrites in place; its length */
static size_t copy(const char *in)
{
	size_t n = strlen(in);

	memcpy(buf, in, n + 1);
	return n;
}

static const char *sgr(const char *in)
{
	buf[paste_strip_sgr(buf, copy(in))] = '\0';
	return buf;
}

static void colours(void **state)
{
	(void)state;
	assert_string_equal(sgr("\x1b[32m[    3.498738]\x1b[0m \x1b[33mhog invoked oom-killer:\x1b[0m\x1b[1m gfp_mask=0x0\x1b[0m"),
			    "[    3.498738] hog invoked oom-killer: gfp_mask=0x0");
	/* an escape that is no colour stays */
	assert_string_equal(sgr("a\x1b[2Jb"), "a\x1b[2Jb");
}

static const char *qp(const char *in, bool *soft)
{
	buf[paste_qp_decode(buf, copy(in), soft)] = '\0';
	return buf;
}

static void quoted_printable(void **state)
{
	bool soft;

	(void)state;
	assert_string_equal(qp("hog invoked oom-killer: gfp_mask=3D0xcc0(GFP_KERNEL), order=3D0, oom_s=", &soft),
			    "hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_s");
	assert_true(soft);
	assert_string_equal(qp("core_adj=3D0", &soft), "core_adj=0");
	assert_false(soft);
	assert_string_equal(qp("caf=C3=A9 =3", &soft), "caf\xc3\xa9 =3");
}

static const char *cut(const char *in)
{
	buf[paste_pager_cut(buf, copy(in))] = '\0';
	return buf;
}

static void pager_cuts(void **state)
{
	(void)state;
	assert_string_equal(cut("Out of memory: Killed process 100 (hog) total-vm:1767\xe2\x80\xa6"),
			    "Out of memory: Killed process 100 (hog)");
	assert_string_equal(cut("Memory cgroup out of memory: Killed process 6960 (hog) total-v..."),
			    "Memory cgroup out of memory: Killed process 6960 (hog)");
	/* a short "..." is someone's elision */
	assert_string_equal(cut("  ..."), "  ...");
	assert_string_equal(cut("hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO\xe2\x80\xa6"),
			    "hog invoked oom-killer: gfp_mask=0x140dca");
	assert_string_equal(cut("hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, o..."),
			    "hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0");
	assert_string_equal(cut("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,..."),
			    "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/");
	/* the kernel's own "..." is no cut; a line without one is untouched */
	assert_string_equal(cut("Out of memory and no killable processes..."), "Out of memory and no killable processes...");
	assert_string_equal(cut("Mem-Info:"), "Mem-Info:");
}

static void learned_prefix(void **state)
{
	struct paste_shape sh = { .n = 0 };
	const char *a = "[Sa Nov 21 21:50:03 2026] CPU: 0 PID: 100 Comm: hog";
	const char *b = "[Sa Nov 21 21:50:14 2026] Mem-Info:";

	(void)state;
	assert_int_equal(paste_match(&sh, b, strlen(b)), 0);
	assert_int_equal(paste_anchor(a, strlen(a)), 26);
	assert_int_equal(paste_anchor("hog invoked oom-killer: x", 25), -1);
	paste_learn(&sh, a, 26);
	assert_int_equal(paste_match(&sh, b, strlen(b)), 26);
	/* a wider time, another second: the same shape */
	assert_int_equal(paste_match(&sh, "[Sa Nov  1 1:50:14 2026] x", 26), 25);
	/* another weekday or no prefix: no match */
	assert_int_equal(paste_match(&sh, "[So Nov 22 21:50:14 2026] x", 27), 0);
	assert_int_equal(paste_match(&sh, "Mem-Info:", 9), 0);
	paste_learn(&sh, "kernel: ", 8);
	assert_int_equal(paste_match(&sh, "kernel: hog invoked", 19), 8);
	assert_int_equal(paste_match(&sh, "kernelx hog", 11), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(colours), cmocka_unit_test(quoted_printable), cmocka_unit_test(pager_cuts),
		cmocka_unit_test(learned_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
