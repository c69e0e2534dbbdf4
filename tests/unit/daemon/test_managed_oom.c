/* test_managed_oom.c - systemd's managed cgroups as varlink brings them
 * (the messages systemd 252 sends, captured in its guest) and what oomkit
 * makes of them: kill adds or updates, auto drops, a user manager speaks
 * only for its own user@UID.service, oomd.conf's defaults, limits in
 * systemd's 32-bit fraction, and the kill unit of each kind of cgroup. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/managed_oom.h"

/* PID 1's reply to SubscribeManagedOOMCGroups as systemd 252 builds it
 * (-.slice's cgroup is "") */
static const char pid1_reply[] =
	"{\"parameters\":{\"cgroups\":[{\"mode\":\"kill\",\"path\":\"\",\"property\":\"ManagedOOMSwap\"},"
	"{\"mode\":\"kill\",\"path\":\"/system.slice\",\"property\":\"ManagedOOMMemoryPressure\",\"limit\":0},"
	"{\"mode\":\"kill\",\"path\":\"/user.slice/user-1000.slice/user@1000.service\","
	"\"property\":\"ManagedOOMMemoryPressure\",\"limit\":2147483648}]},\"continues\":true}";

static int apply(struct moom_table *t, const char *msg, uid_t uid, bool *reply)
{
	char err[256];

	return moom_message_apply(t, msg, strlen(msg), uid, reply, err, sizeof(err));
}

static void test_pid1_reply(void **state)
{
	static struct moom_table t;
	struct moom_defaults d;
	bool reply;

	(void)state;
	moom_defaults_init(&d);
	assert_int_equal(apply(&t, pid1_reply, 0, &reply), MOOM_MSG_CGROUPS);
	assert_false(reply);
	assert_int_equal(t.nr, 3);
	assert_string_equal(t.cg[0].path, "/");
	assert_true(t.cg[0].swap);
	assert_false(t.cg[0].pressure);
	assert_true(t.cg[1].pressure);
	assert_true(moom_limit_percent(&t.cg[1], &d) == 60.0); /* 0: the default */
	assert_true(moom_limit_percent(&t.cg[2], &d) == 50.0);
	assert_int_equal(moom_duration_ms(&t.cg[2], &d), 30000);
}

static void test_updates_and_removal(void **state)
{
	static struct moom_table t;
	bool reply;
	uint64_t changes;

	(void)state;
	assert_int_equal(apply(&t, pid1_reply, 0, &reply), MOOM_MSG_CGROUPS);
	/* a unit stops: PID 1 sends both properties as auto */
	assert_int_equal(apply(&t, "{\"parameters\":{\"cgroups\":[{\"mode\":\"auto\",\"path\":\"/system.slice\","
				   "\"property\":\"ManagedOOMSwap\"},{\"mode\":\"auto\",\"path\":\"/system.slice\","
				   "\"property\":\"ManagedOOMMemoryPressure\",\"limit\":0}]},\"continues\":true}", 0, &reply),
			 MOOM_MSG_CGROUPS);
	assert_int_equal(t.nr, 2);
	/* a limit changes (newer systemd adds the duration) */
	changes = t.changes;
	assert_int_equal(apply(&t, "{\"parameters\":{\"cgroups\":[{\"mode\":\"kill\",\"path\":\"/\","
				   "\"property\":\"ManagedOOMMemoryPressure\",\"limit\":4294967295,\"duration\":5000000}]}}",
			       0, &reply), MOOM_MSG_CGROUPS);
	assert_true(t.changes > changes);
	assert_int_equal(t.nr, 2);
	assert_true(t.cg[0].swap && t.cg[0].pressure);
	assert_int_equal(t.cg[0].duration_usec, 5000000);
}

static void test_user_manager(void **state)
{
	static struct moom_table t;
	bool reply;

	(void)state;
	/* a user manager's call (oneway): its own units only */
	assert_int_equal(apply(&t, "{\"method\":\"io.systemd.oom.ReportManagedOOMCGroups\",\"oneway\":true,"
				   "\"parameters\":{\"cgroups\":[{\"mode\":\"kill\",\"path\":"
				   "\"/user.slice/user-1000.slice/user@1000.service/app.slice/a.service\","
				   "\"property\":\"ManagedOOMSwap\"}]}}", 1000, &reply), MOOM_MSG_CGROUPS);
	assert_false(reply);
	assert_int_equal(t.nr, 1);
	assert_int_equal(t.cg[0].owner, 1000);
	/* another user's cgroup: the whole message refused */
	assert_int_equal(apply(&t, "{\"method\":\"io.systemd.oom.ReportManagedOOMCGroups\",\"parameters\":{\"cgroups\":["
				   "{\"mode\":\"kill\",\"path\":\"/user.slice/user-1000.slice/user@1000.service/b.service\","
				   "\"property\":\"ManagedOOMSwap\"},{\"mode\":\"kill\",\"path\":\"/system.slice\","
				   "\"property\":\"ManagedOOMSwap\"}]}}", 1000, &reply), -EPERM);
	assert_true(reply);
	assert_int_equal(t.nr, 1);
	assert_int_equal(apply(&t, "{\"method\":\"io.systemd.oom.Other\",\"parameters\":{}}", 1000, &reply),
			 MOOM_MSG_UNKNOWN);
}

static void test_refused_and_errors(void **state)
{
	static struct moom_table t;
	static const char *const bad[] = {
		"", "[]", "{\"parameters\":{}}", "{\"parameters\":{\"cgroups\":[{\"mode\":\"kill\"}]}}",
		"{\"parameters\":{\"cgroups\":[{\"mode\":\"stop\",\"path\":\"/a\",\"property\":\"ManagedOOMSwap\"}]}}",
		"{\"parameters\":{\"cgroups\":[{\"mode\":\"kill\",\"path\":\"a\",\"property\":\"ManagedOOMSwap\"}]}}",
		"{\"parameters\":{\"cgroups\":[{\"mode\":\"kill\",\"path\":\"/a\",\"property\":\"Other\"}]}}",
		"{\"parameters\":{\"cgroups\":[{\"mode\":\"kill\",\"path\":\"/a\",\"property\":"
		"\"ManagedOOMMemoryPressure\",\"limit\":4294967296}]}}",
	};
	static const char denied[] = "{\"error\":\"org.varlink.service.PermissionDenied\",\"parameters\":{}}";
	char err[256];
	bool reply;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(apply(&t, bad[i], 0, &reply), -EINVAL);
	assert_int_equal(t.nr, 0);
	assert_int_equal(moom_message_apply(&t, denied, sizeof(denied) - 1, 0, &reply, err, sizeof(err)),
			 MOOM_MSG_ERROR);
	assert_string_equal(err, "org.varlink.service.PermissionDenied");
}

static void test_table_full(void **state)
{
	static struct moom_table t;
	char msg[256];
	bool reply;

	(void)state;
	for (int i = 0; i < MOOM_MAX_CGROUPS + 3; i++) {
		snprintf(msg, sizeof(msg), "{\"parameters\":{\"cgroups\":[{\"mode\":\"kill\",\"path\":\"/s%d.slice\","
			 "\"property\":\"ManagedOOMSwap\"}]}}", i);
		assert_int_equal(apply(&t, msg, 0, &reply), MOOM_MSG_CGROUPS);
	}
	assert_int_equal(t.nr, MOOM_MAX_CGROUPS);
	assert_int_equal(t.dropped, 3);
}

static void test_oomd_conf(void **state)
{
	struct moom_defaults d;

	(void)state;
	moom_defaults_init(&d);
	moom_defaults_parse(&d, "[OOM]\n#SwapUsedLimit=10%\nDefaultMemoryPressureDurationSec=20s\n");
	assert_true(d.swap_used_limit_percent == 90);
	assert_int_equal(d.pressure_duration_ms, 20000);
	moom_defaults_parse(&d, "[Other]\nSwapUsedLimit=50%\n[OOM]\n SwapUsedLimit = 80% \n"
				"DefaultMemoryPressureLimit=bogus\nDefaultMemoryPressureLimit=40%\n");
	assert_true(d.swap_used_limit_percent == 80);
	assert_true(d.pressure_limit_percent == 40);
}

static void test_kill_unit(void **state)
{
	static const char *const scope = "/user.slice/user-1000.slice/session-3.scope";
	static const char *const app = "/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox.scope";
	static const char *const svc = "/system.slice/foo.service";

	(void)state;
	assert_true(moom_user_cgroup(scope));
	assert_true(moom_user_cgroup(app));
	assert_false(moom_user_cgroup(svc));
	assert_false(moom_user_cgroup("/user.slice/user-1000.slice"));
	assert_int_equal(moom_kill_unit(MOOM_UNIT_AUTO, scope, false), KILL_UNIT_PROCESS);
	assert_int_equal(moom_kill_unit(MOOM_UNIT_AUTO, scope, true), KILL_UNIT_CGROUP);
	assert_int_equal(moom_kill_unit(MOOM_UNIT_AUTO, app, false), KILL_UNIT_PROCESS);
	assert_int_equal(moom_kill_unit(MOOM_UNIT_AUTO, svc, false), KILL_UNIT_CGROUP);
	assert_int_equal(moom_kill_unit(MOOM_UNIT_CGROUP, scope, false), KILL_UNIT_CGROUP);
	assert_int_equal(moom_kill_unit(MOOM_UNIT_PROCESS, svc, true), KILL_UNIT_PROCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pid1_reply),
		cmocka_unit_test(test_updates_and_removal),
		cmocka_unit_test(test_user_manager),
		cmocka_unit_test(test_refused_and_errors),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_oomd_conf),
		cmocka_unit_test(test_kill_unit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
