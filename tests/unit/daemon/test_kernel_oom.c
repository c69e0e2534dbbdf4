/* test_kernel_oom.c - the daemon's account of the kernel's own OOM kills,
 * fed the /dev/kmsg records of real guest kernels' reports: one kill
 * record per event for the observer, with the constraint label (global,
 * memcg, cpuset, sysrq) and the unit (cgroup for memory.oom.group), the
 * victim, its cgroup and pod; the event in the JSON file in explain's
 * schema ("source":"kernel"); the one-sentence warning line; oomkit's own
 * kernel-shaped report in the log is not the kernel's and is ignored. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/daemon.h"
#include "daemon/kernel_oom.h"
#include "kmsg_records.h"

static struct daemon d;
static struct kill_record got[8];
static int nr_got;

static void observe(struct daemon *dd, const struct kill_record *r, void *arg)
{
	(void)dd, (void)arg;
	if (nr_got < 8)
		got[nr_got] = *r;
	nr_got++;
}

/* Feeds FILE's lines as kmsg records (kmsg_records.h);
 * every line containing `from` has it replaced by `to` (NULL: none). */
static void feed(const char *file, const char *from, const char *to)
{
	char line[1024], rec[1200];
	static int seq;
	FILE *f = fopen(file, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *hit;

		line[strcspn(line, "\n")] = '\0';
		if (from && (hit = strstr(line, from)) && strlen(line) - strlen(from) + strlen(to) < sizeof(line)) {
			char rest[1024];

			snprintf(rest, sizeof(rest), "%s", hit + strlen(from));
			snprintf(hit, sizeof(line) - (size_t)(hit - line), "%s%s", to, rest);
		}
		kernel_oom_record(rec, kmsg_record_of_line(line, seq++, rec, sizeof(rec)));
	}
	fclose(f);
	kernel_oom_flush();
}

static char *slurp(FILE *f)
{
	static char buf[1 << 20];
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return buf;
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static void test_events(void **state)
{
	FILE *err = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *json, *log;

	(void)state;
	config_defaults(&d.cfg);
	d.sigfd = -1;
	d.json = tmpfile();
	assert_non_null(d.json);
	assert_non_null(err);
	daemon_set_observer(&d, observe, NULL);
	assert_int_equal(kernel_oom_start(&d, "/dev/null"), 0);
	assert_int_equal(d.nr_extra, 2); /* the log and the quiet timer */
	dup2(fileno(err), STDERR_FILENO);

	feed("tests/fixtures/vm/global-noswap.log", NULL, NULL);
	feed("tests/fixtures/vm/memcg.log", NULL, NULL);
	feed("tests/fixtures/vm/memcg-group.log", NULL, NULL);
	feed("tests/fixtures/vm/sysrq-f.log", NULL, NULL);
	feed("tests/fixtures/vm/global-noswap.log", "constraint=CONSTRAINT_NONE", "constraint=CONSTRAINT_CPUSET");
	feed("tests/fixtures/oomkit/kill-memcg-process.log", NULL, NULL); /* oomkit's: not counted */

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(nr_got, 5);
	assert_string_equal(got[0].constraint, "global");
	assert_true(got[0].kernel);
	assert_string_equal(got[0].comm, "hog");
	assert_string_equal(got[0].cgroup, "/");
	assert_string_equal(got[0].unit, "process");
	assert_string_equal(got[1].constraint, "memcg");
	assert_string_equal(got[1].cgroup, "/box");
	assert_string_equal(got[1].trigger, "kernel memcg OOM of /box");
	assert_string_equal(got[2].constraint, "memcg");
	assert_string_equal(got[2].unit, "cgroup"); /* memory.oom.group */
	assert_string_equal(got[3].constraint, "sysrq");
	assert_string_equal(got[3].comm, "holder");
	assert_int_equal(got[3].pid, 99);
	assert_string_equal(got[4].constraint, "cpuset");
	for (int i = 0; i < 5; i++) {
		assert_true(got[i].pid > 0);
		assert_true(got[i].time_seconds > 1e9);
		assert_true(got[i].selection_seconds < 0);
	}

	json = slurp(d.json);
	assert_int_equal(count(json, "\n"), 5);                     /* one line each */
	assert_int_equal(count(json, "{\"source\":\"kernel\""), 5);
	assert_int_equal(count(json, "\"oom_group\":\"/box\""), 1);
	assert_int_equal(count(json, "\"sysrq\":true"), 1);
	log = slurp(err);
	assert_int_equal(count(log, "<4>kernel OOM kill: "), 5);
	assert_non_null(strstr(log, "<4>kernel OOM kill: the kernel killed hog (pid 104) in a memcg OOM of /box (limit 64MiB), invoked by hog (pid 104), with its memory.oom.group\n"));
	assert_non_null(strstr(log, "killed holder (pid 99) in a SysRq (manual) OOM (RAM and swap 205.6MiB), invoked by kworker/0:0 (pid 7)\n"));
	assert_non_null(strstr(log, "in a cpuset OOM (cpuset /, mems_allowed 0), invoked by hog"));
	kernel_oom_stop();
	fclose(d.json);
	fclose(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
