/* test_publish.c - the publisher thread end to end, without D-Bus: a
 * sample and a kill handed over become the metrics file and the status
 * files; a non-loopback listen address is refused with a reason; a
 * reload's settings move the publication to the new places, the counters
 * kept, and a bad listen address changes nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/publish/publish.h"
#include "core/util.h"

static struct publisher pub;
static struct status_view v;
static char buf[STATUS_TEXT_MAX];

static void test_publish(void **state)
{
	char dir[] = "/tmp/oomkit-publish-XXXXXX", path[256], why[128];
	struct publish_config c = { 0 };
	struct kill_record r = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(c.metrics_file, sizeof(c.metrics_file), "%s/oomkit.prom", dir);
	snprintf(c.status_dir, sizeof(c.status_dir), "%s", dir);
	assert_int_equal(publisher_start(&pub, &c, why, sizeof(why)), 0);

	v.pid = getpid();
	v.mem_total_kb = 1000;
	v.mem_available_kb = 400;
	strcpy(v.stage, "none");
	v.nr_triggers = 1;
	strcpy(v.triggers[0].name, "memcg");
	strcpy(v.triggers[0].where, "/sys/fs/cgroup/memory/x");
	v.triggers[0].usage_bytes = 10;
	v.triggers[0].limit_bytes = 20;
	publisher_sample(&pub, &v);
	r.pid = 77;
	strcpy(r.comm, "hog");
	strcpy(r.trigger, "memcg /sys/fs/cgroup/memory/x 99% of 20B");
	strcpy(r.unit, "process");
	r.rss_kb = 1;
	r.selection_seconds = 0.001;
	r.reclaim_seconds = 0.01;
	publisher_kill(&pub, &r);
	publisher_stop(&pub);

	assert_true(read_file_at(AT_FDCWD, c.metrics_file, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "oomkit_kills_total{trigger=\"memcg\",unit=\"process\"} 1\n"));
	assert_non_null(strstr(buf, "oomkit_memory_available_bytes 409600\n"));
	assert_non_null(strstr(buf, "oomkit_cgroup_memory_limit_bytes{cgroup=\"/sys/fs/cgroup/memory/x\"} 20\n"));
	assert_non_null(strstr(buf, "oomkit_selection_seconds_count 1\n"));
	snprintf(path, sizeof(path), "%s/status.txt", dir);
	assert_true(read_file_at(AT_FDCWD, path, buf, sizeof(buf)) > 0);
	assert_true(!strncmp(buf, "oomkit daemon: pid ", 19));
	assert_int_equal(pub.last_error, 0);
	unlink(c.metrics_file);
	unlink(path);
	snprintf(path, sizeof(path), "%s/status.json", dir);
	unlink(path);
	/* the daemon thread's sign of life beside them (status.h) */
	snprintf(path, sizeof(path), "%s/heartbeat", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);

	snprintf(c.metrics_listen, sizeof(c.metrics_listen), "0.0.0.0:9101");
	assert_int_equal(publisher_start(&pub, &c, why, sizeof(why)), -EPERM);
	assert_string_equal(why, "metrics_listen=0.0.0.0:9101: not a loopback address (127.0.0.0/8, ::1)");
}

/* Polls for a file for up to 5 s: the publisher thread writes it. */
static bool appears(const char *path)
{
	for (int i = 0; i < 500; i++) {
		if (access(path, F_OK) == 0)
			return true;
		usleep(10000);
	}
	return false;
}

static void test_reconfigure(void **state)
{
	char dir[] = "/tmp/oomkit-publish-XXXXXX", a[256], b[256], hb[256], why[128];
	struct publish_config c = { 0 }, next;
	struct kill_record r = { .pid = 77, .comm = "hog", .trigger = "memavailable", .unit = "process" };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.prom", dir);
	snprintf(b, sizeof(b), "%s/b.prom", dir);
	snprintf(hb, sizeof(hb), "%s/heartbeat", dir);
	snprintf(c.metrics_file, sizeof(c.metrics_file), "%s", a);
	assert_int_equal(publisher_start(&pub, &c, why, sizeof(why)), 0);
	memset(&v, 0, sizeof(v));
	v.pid = getpid();
	v.mem_total_kb = 1000;
	publisher_kill(&pub, &r);
	publisher_sample(&pub, &v);
	assert_true(appears(a));
	/* nothing changed: nothing to do */
	assert_int_equal(publisher_reconfigure(&pub, &c, why, sizeof(why)), 0);
	/* a non-loopback address: refused, the old settings kept */
	next = c;
	snprintf(next.metrics_listen, sizeof(next.metrics_listen), "0.0.0.0:9101");
	assert_int_equal(publisher_reconfigure(&pub, &next, why, sizeof(why)), -EPERM);
	assert_string_equal(why, "metrics_listen=0.0.0.0:9101: not a loopback address (127.0.0.0/8, ::1)");
	/* another file and a status directory: the thread moves there */
	next = c;
	snprintf(next.metrics_file, sizeof(next.metrics_file), "%s", b);
	snprintf(next.status_dir, sizeof(next.status_dir), "%s", dir);
	assert_int_equal(publisher_reconfigure(&pub, &next, why, sizeof(why)), 1);
	assert_true(appears(b));
	publisher_sample(&pub, &v); /* the daemon thread's heartbeat, in the new directory */
	assert_int_equal(access(hb, F_OK), 0);
	publisher_stop(&pub);
	assert_true(read_file_at(AT_FDCWD, b, buf, sizeof(buf)) > 0);
	/* the kill counted before the reload is still there */
	assert_non_null(strstr(buf, "oomkit_kills_total{trigger=\"memavailable\",unit=\"process\"} 1\n"));
	assert_int_equal(pub.last_error, 0);
	snprintf(why, sizeof(why), "rm -rf %s", dir);
	assert_int_equal(system(why), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish),
		cmocka_unit_test(test_reconfigure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
