/* test_kreport_prefix.c - every wrapping in doc/explain.md comes off and leaves
 * the kernel's message; journalctl JSON and /dev/kmsg records decode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "explain/kreport.h"
#include "explain/kreport_prefix.h"

static const char *msg_of(const char *line, struct kr_prefix *px)
{
	kr_strip_prefix(line, strlen(line), px);
	return line + px->msg_off;
}

static void dmesg_shapes(void **state)
{
	struct kr_prefix px;

	(void)state;
	assert_string_equal(msg_of("[  130.773033] CPU: 17 PID: 5532 Comm: a.out", &px), "CPU: 17 PID: 5532 Comm: a.out");
	assert_int_equal(px.kernel_us, 130773033);
	assert_string_equal(msg_of("[  130.774403]  dump_stack+0x57/0x6a", &px), " dump_stack+0x57/0x6a");
	assert_string_equal(msg_of("[1310061.327439] Mem-Info:", &px), "Mem-Info:");
	assert_int_equal(px.kernel_us, 1310061327439LL);
	assert_string_equal(msg_of("<4>[  130.773033] Mem-Info:", &px), "Mem-Info:");
	assert_string_equal(msg_of("kern  :warn  : [  130.773033] Mem-Info:", &px), "Mem-Info:");
	assert_string_equal(msg_of("[Mon Jan 25 12:18:47 2022] perl invoked oom-killer: x", &px),
			    "perl invoked oom-killer: x");
	assert_string_equal(px.time, "Mon Jan 25 12:18:47 2022");
	assert_string_equal(msg_of("2022-01-25T12:18:47,123456+00:00 Mem-Info:", &px), "Mem-Info:");
	assert_string_equal(px.host, "");
	/* a task table row is not a timestamp */
	assert_string_equal(msg_of("[  130.8] [    784]     0   784 name", &px), "[    784]     0   784 name");
	assert_true(msg_of("   active_file:28 inactive_file:59", &px) != NULL);
	assert_true(px.indented);
}

static void caller_ids(void **state)
{
	struct kr_prefix px;

	(void)state;
	assert_string_equal(msg_of("[  844.965403][ T3997] Mem-Info:", &px), "Mem-Info:");
	assert_int_equal(px.caller, 3997);
	assert_string_equal(msg_of("[  130.773033] [  T1234] Mem-Info:", &px), "Mem-Info:");
	assert_int_equal(px.caller, 1234);
	assert_string_equal(msg_of("[  130.773033][   C12] Mem-Info:", &px), "Mem-Info:");
	assert_int_equal(px.caller, -13);
}

static void syslog_shapes(void **state)
{
	struct kr_prefix px;

	(void)state;
	assert_string_equal(msg_of("Jan 25 12:18:47 ip-10-0-1-43 kernel: perl cpuset=/ mems_allowed=0", &px),
			    "perl cpuset=/ mems_allowed=0");
	assert_string_equal(px.host, "ip-10-0-1-43");
	assert_string_equal(px.tag, "kernel");
	assert_string_equal(msg_of("Jun  3 02:03:04 h kernel: [  130.773033] Mem-Info:", &px), "Mem-Info:");
	assert_int_equal(px.kernel_us, 130773033);
	assert_string_equal(msg_of("Jan 25 12:18:47.123456 h kernel: Mem-Info:", &px), "Mem-Info:");
	assert_string_equal(msg_of("2022-01-25T12:18:47+0000 h kernel: Mem-Info:", &px), "Mem-Info:");
	assert_string_equal(px.host, "h");
	assert_string_equal(msg_of("2022-01-25T12:18:47.123456+00:00 h earlyoom[77]: sending SIGTERM", &px),
			    "sending SIGTERM");
	assert_string_equal(px.tag, "earlyoom");
	assert_string_equal(msg_of("[  130.773033] h kernel: Mem-Info:", &px), "Mem-Info:");
	assert_string_equal(px.host, "h");
	/* the header's own colon is not a syslog tag */
	assert_string_equal(msg_of("[  1.0] perl invoked oom-killer: gfp_mask=0x0", &px),
			    "perl invoked oom-killer: gfp_mask=0x0");
	assert_string_equal(px.host, "");
}

static void journal_json(void **state)
{
	struct kr_prefix px;
	char msg[256];
	const char *line = "{\"__REALTIME_TIMESTAMP\":\"1\",\"_HOSTNAME\":\"web1\",\"MESSAGE\":\"active_anon:1\\n "
			   "active_file:2\\u00e9\",\"_SOURCE_MONOTONIC_TIMESTAMP\":\"130773033\",\"X\":[1,2]}";
	long n = kr_journal_json(line, strlen(line), msg, sizeof(msg), &px);

	(void)state;
	assert_int_equal(n, (long)strlen("active_anon:1\n active_file:2\xc3\xa9"));
	assert_string_equal(msg, "active_anon:1\n active_file:2\xc3\xa9");
	assert_string_equal(px.host, "web1");
	assert_int_equal(px.kernel_us, 130773033);
	assert_string_equal(px.time, "1970-01-01T00:00:00Z");
	line = "{\"MESSAGE\":[111,111,109,255]}";
	assert_int_equal(kr_journal_json(line, strlen(line), msg, sizeof(msg), &px), 4);
	assert_int_equal((unsigned char)msg[3], 255);
	assert_int_equal(kr_journal_json("{\"MESSAGE\":\"x", 13, msg, sizeof(msg), &px), -1);
	assert_int_equal(kr_journal_json("not json", 8, msg, sizeof(msg), &px), -1);
}

static void kmsg_records(void **state)
{
	struct kr_prefix px;
	char msg[256];
	const char *rec = "4,1234,130773033,-,caller=T5532;active_anon:1\\x0a active_file:2\n SUBSYSTEM=x\n";

	(void)state;
	assert_int_equal(kr_kmsg_record(rec, strlen(rec), msg, sizeof(msg), &px), (long)strlen("active_anon:1\n active_file:2"));
	assert_string_equal(msg, "active_anon:1\n active_file:2");
	assert_int_equal(px.kernel_us, 130773033);
	assert_int_equal(px.caller, 5532);
	assert_int_equal(kr_kmsg_record("garbage", 7, msg, sizeof(msg), &px), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dmesg_shapes), cmocka_unit_test(caller_ids), cmocka_unit_test(syslog_shapes),
		cmocka_unit_test(journal_json), cmocka_unit_test(kmsg_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
