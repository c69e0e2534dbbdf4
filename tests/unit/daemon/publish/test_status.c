/* test_status.c - the daemon's state files: text and JSON content (hostile
 * names escaped, NaN headroom as null/"-"), mode 0640, and the liveness
 * verdict `oomkit status` gives (alive, pid gone, too old, missing). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <cmocka.h>

#include "daemon/publish/status.h"

static struct status_view v;
static char buf[STATUS_TEXT_MAX];
static char dir[] = "/tmp/oomkit-status-XXXXXX";

/* as the publisher saves: with the view's key */
static int save(const struct status_view *x, const char *d)
{
	static struct status_view scratch;

	return status_save(x, d, status_view_key(x, &scratch));
}

static void set_trigger(size_t i, const char *name, const char *where, const char *setting,
			const char *current, double headroom, const char *stage)
{
	struct status_trigger *t = &v.triggers[i];

	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->where, sizeof(t->where), "%s", where);
	snprintf(t->setting, sizeof(t->setting), "%s", setting);
	snprintf(t->current, sizeof(t->current), "%s", current);
	t->headroom_percent = headroom;
	snprintf(t->stage, sizeof(t->stage), "%s", stage);
}

static void fill(pid_t pid)
{
	struct kill_record *k = &v.last_kills[0];

	memset(&v, 0, sizeof(v));
	v.pid = pid;
	v.started_seconds = 1700000000;
	v.updated_seconds = 1700003723;
	strcpy(v.stage, "term");
	strcpy(v.trigger, "memavailable 8.0% < 10%");
	v.mem_total_kb = 16 << 20;
	v.mem_available_kb = 1 << 20;
	v.have_psi = true;
	v.psi.some.avg10 = 12.5;
	v.psi.has_full = true;
	v.psi.full.avg10 = 3.25;
	v.nr_triggers = 2;
	set_trigger(0, "memory", "system", "term 10% / kill 5%", "8.0%", 3.0, "term");
	set_trigger(1, "psi", "/sys/fs/cgroup/x\ny", "full 40% 2s", "armed", NAN, "none");
	v.kills = 3;
	v.nr_last_kills = 1;
	k->time_seconds = 1700003000;
	k->pid = 4242;
	k->uid = 1000;
	strcpy(k->comm, "bad\"name\n");
	strcpy(k->cgroup, "/kubepods/besteffort/pod0f3b7e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b/"
			  "3b1c9e2f0a4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f");
	strcpy(k->trigger, "psi full 40% 2s");
	strcpy(k->unit, "process");
	k->killed = k->reaped = true;
	k->rss_kb = 2048;
	k->reclaim_seconds = 0.125;
	k8s_decode(k->cgroup, &k->k8s);
}

static void test_save_and_load(void **state)
{
	struct stat st;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fill(getpid());
	assert_int_equal(save(&v, dir), 0);
	snprintf(buf, sizeof(buf), "%s/status.txt", dir);
	assert_int_equal(stat(buf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);

	assert_int_equal(status_load(dir, "txt", 10, buf, sizeof(buf), &pid), 1);
	assert_int_equal(pid, getpid());
	assert_non_null(strstr(buf, "up 1h 02m, updated 2023-11-14 23:15:23 UTC\n"));
	assert_non_null(strstr(buf, "stage: term: memavailable 8.0% < 10%\n"));
	assert_non_null(strstr(buf, "memory: 1.0GiB available of 16.0GiB (6.2%), no swap\n"));
	assert_non_null(strstr(buf, "+3.0%"));
	assert_non_null(strstr(buf, "/sys/fs/cgroup/x\\x0ay"));
	assert_non_null(strstr(buf, "pid 4242 (bad\"name\\x0a) uid 1000, 2.0MiB, psi full 40% 2s, reaped, "
				    "memory back in 0.125s, pod 0f3b7e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b (BestEffort) container 3b1c9e2f0a4d\n"));

	assert_int_equal(status_load(dir, "json", 10, buf, sizeof(buf), &pid), 1);
	assert_true(!strncmp(buf, "{\"schema\":2,", 12));
	assert_non_null(strstr(buf, "\"headroom_percent\":3,"));
	assert_non_null(strstr(buf, "\"headroom_percent\":null,"));
	assert_non_null(strstr(buf, "\"comm\":\"bad\\\"name\\n\""));
	assert_non_null(strstr(buf, "\"k8s\":{\"qos\":\"BestEffort\""));
	assert_non_null(strstr(buf, "\"psi\":{\"some\":{\"avg10\":12.5,"));
}

/* Times in JSON are integers: "%g" printed 1795311302.5 as 1.79531e+09,
 * an hour off. Unix times in whole seconds, durations named _ms. */
static void test_json_times_are_integers(void **state)
{
	char out[STATUS_TEXT_MAX];
	FILE *f = fmemopen(out, sizeof(out), "w");

	(void)state;
	fill(getpid());
	v.started_seconds = 1795300000.9;
	v.updated_seconds = 1795311302.5;
	v.last_kills[0].time_seconds = 1795300931.2;
	v.last_kills[0].reclaim_seconds = 0.0414;
	status_write_json(&v, f);
	fclose(f);
	assert_non_null(strstr(out, "{\"schema\":2,"));
	assert_non_null(strstr(out, "\"started\":1795300000,\"updated\":1795311302,"));
	assert_non_null(strstr(out, "\"time\":1795300931,"));
	assert_non_null(strstr(out, "\"reclaim_ms\":41,"));
	assert_null(strstr(out, "e+"));
	v.last_kills[0].reclaim_seconds = -1;
	f = fmemopen(out, sizeof(out), "w");
	status_write_json(&v, f);
	fclose(f);
	assert_non_null(strstr(out, "\"reclaim_ms\":null,"));
}

static void test_liveness(void **state)
{
	struct utimbuf old = { .actime = 1000, .modtime = time(NULL) - 60 };
	pid_t pid, child = fork();

	(void)state;
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	fill(child); /* a pid that is gone */
	assert_int_equal(save(&v, dir), 0);
	assert_int_equal(status_load(dir, "txt", 10, buf, sizeof(buf), &pid), 0);
	assert_int_equal(pid, child);

	fill(getpid()); /* alive but too old */
	assert_int_equal(save(&v, dir), 0);
	snprintf(buf, sizeof(buf), "%s/status.txt", dir);
	assert_int_equal(utime(buf, &old), 0);
	assert_int_equal(status_load(dir, "txt", 10, buf, sizeof(buf), &pid), 0);
	assert_int_equal(status_load(dir, "txt", 120, buf, sizeof(buf), &pid), 1);

	/* the state is old but the loop's heartbeat is fresh: the daemon runs,
	 * its publisher thread is late (a D-Bus peer that does not answer) */
	snprintf(buf, sizeof(buf), "%s/heartbeat", dir);
	close(open(buf, O_WRONLY | O_CREAT, 0640));
	assert_int_equal(status_load(dir, "txt", 10, buf, sizeof(buf), &pid), 2);
	assert_int_equal(pid, getpid());
	snprintf(buf, sizeof(buf), "%s/heartbeat", dir);
	assert_int_equal(utime(buf, &old), 0); /* both old: stuck or gone */
	assert_int_equal(status_load(dir, "txt", 10, buf, sizeof(buf), &pid), 0);
	snprintf(buf, sizeof(buf), "%s/heartbeat", dir);
	unlink(buf);

	snprintf(buf, sizeof(buf), "%s/status.txt", dir);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s/status.json", dir);
	unlink(buf);
	assert_int_equal(status_load(dir, "txt", 10, buf, sizeof(buf), &pid), -ENOENT);
	assert_int_equal(rmdir(dir), 0);
}

/* The trigger table stays aligned whatever the length of a cgroup path
 * or a setting: every row's STAGE starts under the header's. */
static void test_text_aligned(void **state)
{
	char *text = NULL, *line, *save;
	size_t size = 0;
	long stage_col = -1, rows = 0;
	FILE *f = open_memstream(&text, &size);

	(void)state;
	fill(getpid());
	v.nr_triggers = 3;
	set_trigger(2, "psi-sustained", "/sys/fs/cgroup/memory/a/rather/long/path/of/a/watched/cgroup.slice",
		    "full avg10 > 10% for 10s", "avg10 0.00%", 10, "none");
	status_write_text(&v, f);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *st = strrchr(line, ' ');

		if (!strncmp(line, "TRIGGER", 7)) {
			stage_col = strstr(line, "STAGE") - line;
		} else if (stage_col >= 0 && st && (!strcmp(st + 1, "none") || !strcmp(st + 1, "term"))) {
			assert_int_equal(st + 1 - line, stage_col);
			rows++;
		} else if (stage_col >= 0) {
			break;
		}
	}
	assert_int_equal(rows, 3);
	free(text);
}

/* At rest (the clock and the sample count move, nothing else) the files are
 * touched, not rewritten; a change rewrites them. */
static void test_unchanged_state_is_touched(void **state)
{
	struct stat a, b, c;

	(void)state;
	strcpy(dir, "/tmp/oomkit-status-XXXXXX");
	assert_non_null(mkdtemp(dir));
	fill(getpid());
	assert_int_equal(save(&v, dir), 0);
	snprintf(buf, sizeof(buf), "%s/status.json", dir);
	assert_int_equal(stat(buf, &a), 0);
	v.updated_seconds += 5;
	v.samples += 5;
	v.mem_available_kb += 1024; /* well under 1% of 16 GiB */
	assert_int_equal(save(&v, dir), 0);
	assert_int_equal(stat(buf, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	v.kills++;
	assert_int_equal(save(&v, dir), 0);
	assert_int_equal(stat(buf, &c), 0);
	assert_int_not_equal(b.st_ino, c.st_ino);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s/status.txt", dir);
	unlink(buf);
	assert_int_equal(rmdir(dir), 0);
}

/* Only the arrays' used entries count: a view is copied and hashed up to
 * nr_triggers and nr_last_kills, so that the daemon's views keep their
 * unused tails (most of their 48 KiB) untouched, and an older view's
 * leftovers there change nothing. */
static void test_view_tails_untouched(void **state)
{
	static struct status_view a, b, scratch;
	uint64_t key;

	(void)state;
	fill(getpid());
	status_view_copy(&a, &v);
	key = status_view_key(&a, &scratch);
	assert_true(v.nr_triggers < STATUS_MAX_TRIGGERS && v.nr_last_kills < STATUS_LAST_KILLS);
	memset(&b, 0x5a, sizeof(b));
	status_view_copy(&b, &v);
	assert_int_equal(b.triggers[v.nr_triggers].name[0], 0x5a); /* the tails as they were */
	assert_int_equal(b.last_kills[v.nr_last_kills].pid, 0x5a5a5a5a);
	assert_memory_equal(b.triggers, v.triggers, v.nr_triggers * sizeof(v.triggers[0]));
	assert_memory_equal(b.last_kills, v.last_kills, v.nr_last_kills * sizeof(v.last_kills[0]));
	assert_int_equal(status_view_key(&b, &scratch), key);
	assert_int_equal(status_view_key(&b, &b), key); /* made in place, leftovers and all */
	status_view_clear(&b);
	assert_int_equal(b.nr_triggers, 0);
	assert_int_equal(b.nr_last_kills, 0);
	assert_int_equal(b.pid, 0);
	b.nr_triggers = 1;
	assert_int_not_equal(status_view_key(&b, &scratch), key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_and_load),
		cmocka_unit_test(test_json_times_are_integers),
		cmocka_unit_test(test_liveness),
		cmocka_unit_test(test_text_aligned),
		cmocka_unit_test(test_unchanged_state_is_touched),
		cmocka_unit_test(test_view_tails_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
