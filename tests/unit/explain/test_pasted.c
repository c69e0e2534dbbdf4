/* test_pasted.c - reports as people paste them: values must look like
 * values (prose and quoted kernel source open no event, a mangled number
 * is null with a note, a cut kill line keeps the summary's victim), names
 * settled by the stack line, excerpts that start late or end early, the
 * machine going down, dry runs; and whole inputs read through the reader
 * (quoted-printable, bare CR, mail wrapping, binary bytes before the log,
 * two reports interleaved by caller id). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "parse_lines.h"

/* The whole text through the reader, as `oomkit explain FILE` reads it. */
static void read_text(const char *text, size_t len, struct kr_read_stats *st)
{
	struct kr_parser *p = kr_parser_new(capture, NULL);
	int fd = memfd_create("pasted", 0);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	nev = 0;
	memset(st, 0, sizeof(*st));
	assert_int_equal(kr_read_stream(fd, p, st, false), 0);
	close(fd);
	kr_parser_free(p);
}

static bool noted(const struct kr_event *ev, const char *words)
{
	for (int i = 0; i < ev->nr_notes; i++)
		if (strstr(ev->notes[i], words))
			return true;
	return false;
}

#define HEADER "[    3.498738] hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0"
#define CPU "[    3.499192] CPU: 0 PID: 100 Comm: hog Not tainted 6.1.0-56-amd64 #1"
#define SUMMARY "[    3.511981] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=hog,pid=100,uid=0"
#define KILLED "[    3.513153] Out of memory: Killed process 100 (hog) total-vm:176776kB, anon-rss:174968kB, file-rss:4kB, shmem-rss:648kB, UID:0 pgtables:380kB oom_score_adj:0"

static void prose_and_source_are_no_report(void **state)
{
	static const char *const lines[] = {
		"    pr_warn(\"%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd\\n\",",
		"Our build box invoked oom-killer: twice last night, both times during the link step.",
		"look for \"Out of memory: Killed process\" further down",
		"    pr_err(\"%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB\\n\",",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 0);
}

static void mangled_numbers_are_null(void **state)
{
	static const char *const lines[] = {
		"[ 1.0] hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=3D0, oom_score_adj=0",
		/* no hex after gfp_mask=: no header */
		"[ 3.0] hog invoked oom-killer: gfp_mask=3D0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		NULL,
	};

	(void)state;
	parse(lines);
	assert_int_equal(nev, 1);
	assert_string_equal(evs[0].gfp_mask, "0xcc0");
	assert_true(evs[0].order == KR_UNSET); /* not 3 */
	assert_true(noted(&evs[0], "order \"3D0\" is not a number"));
}

static void cut_kill_line_keeps_the_summary(void **state)
{
	static const char *const cut_name[] = { HEADER, CPU, SUMMARY, "[    3.513153] Out of memory: Killed process 100 (h", NULL };
	static const char *const cut_pid[] = { HEADER, CPU, SUMMARY, "[    3.513153] Out of memory: Killed process 1", NULL };
	static const char *const cut_size[] = { HEADER, CPU, SUMMARY,
		"[    3.513153] Out of memory: Killed process 100 (hog) total-vm:1767", NULL };

	(void)state;
	parse(cut_name);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].victim.pid, 100);
	assert_string_equal(evs[0].victim.comm, "hog");
	assert_true(evs[0].victim.anon_rss_kb == KR_UNSET);
	assert_true(noted(&evs[0], "kill line is cut"));
	parse(cut_pid);
	assert_int_equal(evs[0].victim.pid, 100); /* not 1 */
	parse(cut_size);
	assert_int_equal(evs[0].victim.pid, 100);
	assert_true(evs[0].victim.total_vm_kb == KR_UNSET); /* not 1767 */
	assert_int_equal(evs[0].last_line, 4);
}

static void names_settled(void **state)
{
	static const char *const glued[] = {
		"[ 1.0] hog:100 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0", NULL };
	static const char *const kworker[] = {
		"[ 1.0] kworker/u8:2 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0", NULL };
	static const char *const prefixed[] = {
		"kernel: hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		"kernel: CPU: 0 PID: 100 Comm: hog Not tainted 6.1.0-56-amd64 #1", NULL };
	static const char *const escaped[] = {
		"[ 1.0] h\\x1bog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0", NULL };

	(void)state;
	parse(glued);
	assert_string_equal(evs[0].oc.invoker.comm, "hog");
	assert_int_equal(evs[0].invoker_pid, 100);
	parse(kworker);
	assert_string_equal(evs[0].oc.invoker.comm, "kworker/u8:2");
	assert_true(evs[0].invoker_pid == KR_UNSET);
	parse(prefixed);
	assert_string_equal(evs[0].oc.invoker.comm, "hog");
	parse(escaped); /* the kernel's one escape: one byte, escaped once on output */
	assert_string_equal(evs[0].oc.invoker.comm, "h\x1bog");
}

static void excerpts(void **state)
{
	static const char *const reaper_only[] = { HEADER, CPU,
		"[    5.0] oom_reaper: reaped process 100 (hog), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB", NULL };
	static const char *const panic_tail[] = {
		"[ 3.03] Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled",
		"[ 3.03] CPU: 0 PID: 101 Comm: hog Not tainted 6.1.0-56-amd64 #1", NULL };
	static const char *const bare_rows[] = { HEADER, CPU,
		"[ 3.5] [     99]     0    99      249        1    28672        0         -1000 run",
		"[ 3.5] [    100]     0   100    44194    43905   389120        0             0 hog", SUMMARY, KILLED,
		NULL };

	(void)state;
	parse(reaper_only);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].victim.pid, 100);
	assert_int_equal(evs[0].reaped, 1);
	assert_true(noted(&evs[0], "oom_reaper line names"));
	parse(panic_tail);
	assert_int_equal(nev, 1);
	assert_true(evs[0].panic);
	assert_string_equal(evs[0].panic_cause, "panic_on_oom");
	assert_string_equal(evs[0].oc.invoker.comm, "hog");
	assert_int_equal(evs[0].invoker_pid, 101);
	parse(bare_rows);
	assert_int_equal(evs[0].nr_tasks, 2);
}

static void machine_down_and_dry_runs(void **state)
{
	static const char *const init[] = { HEADER, CPU,
		"[ 3.76] Memory cgroup out of memory: Killed process 100 (hog) total-vm:50332kB, anon-rss:48512kB, file-rss:4kB, shmem-rss:648kB",
		"[ 3.76] Tasks in /box are going to be killed due to memory.oom.group set",
		"[ 3.77] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100", NULL };
	static const char *const earlyoom[] = {
		"sending SIGKILL to process 31698 uid 0 \"fuzz_explain\": badness 678, VmRSS 428 MiB",
		"dryrun, not actually sending any signal",
		"sending SIGKILL to process 31698 uid 0 \"fuzz_explain\": badness 678, VmRSS 428 MiB", NULL };
	static const char *const sysrq[] = { "[ 3.1] sysrq: Manual OOM execution",
		"[ 3.1] OOM request ignored. No task eligible", HEADER, CPU, SUMMARY, KILLED, NULL };

	(void)state;
	parse(init);
	assert_int_equal(nev, 1);
	assert_true(evs[0].panic);
	assert_string_equal(evs[0].panic_cause, "init_died");
	parse(earlyoom);
	assert_int_equal(nev, 2);
	assert_true(evs[0].dry_run);
	assert_false(evs[1].dry_run);
	parse(sysrq);
	assert_false(evs[0].sysrq);
}

static void whole_inputs(void **state)
{
	static const char qp[] = "[    3.498738] hog invoked oom-killer: gfp_mask=3D0x140dca(GFP_HIGHUSER_MOVAB=\n"
				 "LE), order=3D0, oom_score_adj=3D0\n" SUMMARY "\n" KILLED "\n";
	static const char qp_crlf[] = "hog invoked oom-killer: gfp_mask=3D0x140dca(GFP_HIGHUSER_MOVAB=\r\n"
				      "LE), order=3D0, oom_score_adj=3D0\r\n";
	static const char cr[] = HEADER "\r" CPU "\r" SUMMARY "\r" KILLED "\r";
	static const char learned_late[] = "kernel: perl invoked oom-killer: gfp_mask=0x14201ca, order=0, oom_score_adj=0\n"
					   "kernel: perl cpuset=/ mems_allowed=0\nkernel: Mem-Info:\n";
	static const char wrapped[] = "[    3.498738] hog invoked oom-killer:\ngfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE),\n"
				      "order=0, oom_score_adj=0\n[    3.513153] Out of memory: Killed process 100 (hog)\n"
				      "total-vm:176776kB, anon-rss:174968kB, file-rss:4kB, shmem-rss:648kB\n";
	char garbage[4096 + sizeof(HEADER "\n" KILLED "\n")];
	struct kr_read_stats st;

	(void)state;
	read_text(qp, sizeof(qp) - 1, &st);
	assert_int_equal(nev, 1);
	assert_true(st.quoted_printable);
	assert_string_equal(evs[0].gfp_mask, "0x140dca");
	assert_string_equal(evs[0].gfp_names, "GFP_HIGHUSER_MOVABLE");
	assert_int_equal(evs[0].order, 0);
	read_text(qp_crlf, sizeof(qp_crlf) - 1, &st); /* a mail body keeps its CRLF */
	assert_int_equal(nev, 1);
	assert_string_equal(evs[0].gfp_names, "GFP_HIGHUSER_MOVABLE");
	read_text(cr, sizeof(cr) - 1, &st);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].invoker_pid, 100);
	assert_int_equal(evs[0].victim.anon_rss_kb, 174968);
	read_text(learned_late, sizeof(learned_late) - 1, &st); /* no stack line: the prefix settles the name */
	assert_int_equal(nev, 1);
	assert_string_equal(evs[0].oc.invoker.comm, "perl");
	read_text(wrapped, sizeof(wrapped) - 1, &st);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].order, 0);
	assert_int_equal(evs[0].victim.total_vm_kb, 176776);
	for (size_t i = 0; i < 4095; i++)
		garbage[i] = (char)(1 + i % 8); /* control bytes, no newline */
	garbage[4095] = '\n';
	memcpy(garbage + 4096, HEADER "\n" KILLED "\n", sizeof(HEADER "\n" KILLED "\n") - 1);
	read_text(garbage, sizeof(garbage) - 1, &st);
	assert_false(st.not_text);
	assert_int_equal(st.garbage_bytes, 4096);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].first_line, 2);
}

/* Random bytes (head -c 64K /dev/urandom) now and then end in a newline
 * and a hundred bytes with under 5% control bytes: that tail is no text
 * log, and the input is still "not a text log" (exit 5), not a text with
 * no OOM event in it (exit 9). */
static void binary_with_a_short_clean_looking_tail(void **state)
{
	char buf[8192 + 1 + 120];
	struct kr_read_stats st;

	(void)state;
	for (size_t i = 0; i < 8192; i++)
		buf[i] = (char)(1 + i % 8);
	buf[8192] = '\n';
	for (size_t i = 0; i < 120; i++)
		buf[8193 + i] = i % 24 == 0 ? '\x02' : (char)('a' + i % 26); /* 5 control bytes: 4.2% */
	read_text(buf, sizeof(buf), &st);
	assert_true(st.not_text);
	assert_int_equal(nev, 0);
}

static void interleaved_by_caller(void **state)
{
	static const char text[] =
		"[    3.498738][   T100] hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n"
		"[    3.498739][   T104] box invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
		"[    3.499192][   T100] CPU: 0 PID: 100 Comm: hog Not tainted 6.1.0-56-amd64 #1\n"
		"[    3.499193][   T104] CPU: 1 PID: 104 Comm: box Not tainted 6.1.0-56-amd64 #1\n"
		"[    3.513153][   T100] Out of memory: Killed process 100 (hog) total-vm:176776kB, anon-rss:174968kB, file-rss:4kB, shmem-rss:648kB\n"
		"[    3.513154][   T104] Memory cgroup out of memory: Killed process 104 (box) total-vm:50332kB, anon-rss:48512kB, file-rss:4kB, shmem-rss:648kB\n"
		"[    5.000000][    T35] oom_reaper: reaped process 104 (box), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n";
	static const char *const no_ids[] = { HEADER, "[    3.4987] box invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
		CPU, KILLED, NULL };
	struct kr_read_stats st;

	(void)state;
	parse(no_ids); /* without caller ids they cannot be told apart: say so */
	assert_int_equal(nev, 2);
	assert_true(noted(&evs[0], "a second report began at line 2"));
	read_text(text, sizeof(text) - 1, &st);
	assert_int_equal(nev, 2);
	for (int i = 0; i < 2; i++) {
		const struct kr_event *ev = &evs[i];

		assert_int_equal(ev->invoker_pid, ev->victim.pid);
		assert_string_equal(ev->oc.invoker.comm, ev->victim.comm);
		assert_int_equal(ev->reaped, ev->victim.pid == 104 ? 1 : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prose_and_source_are_no_report), cmocka_unit_test(mangled_numbers_are_null),
		cmocka_unit_test(cut_kill_line_keeps_the_summary), cmocka_unit_test(names_settled),
		cmocka_unit_test(excerpts), cmocka_unit_test(machine_down_and_dry_runs),
		cmocka_unit_test(whole_inputs), cmocka_unit_test(interleaved_by_caller),
		cmocka_unit_test(binary_with_a_short_clean_looking_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
