/* test_policy.c - policy rules: FIELD:PATTERN parsing and its error
 * messages, the tier each task lands in, the protect list, and the
 * detection of a self-raised oom_score_adj. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/policy.h"
#include "core/select.h"

static struct task_info task(pid_t pid, const char *comm, uid_t uid, int adj)
{
	struct task_info t;

	memset(&t, 0, sizeof(t));
	t.pid = pid;
	t.ppid = 1;
	t.uid = uid;
	t.oom_score_adj = adj;
	t.has_mm = true;
	snprintf(t.comm, sizeof(t.comm), "%s", comm);
	snprintf(t.cmdline, sizeof(t.cmdline), "/usr/bin/%s --flag", comm);
	snprintf(t.exe, sizeof(t.exe), "/usr/bin/%s", comm);
	snprintf(t.memcg, sizeof(t.memcg), "/user.slice/user-%u.slice", (unsigned)uid);
	return t;
}

static void add_ok(struct policy *p, enum policy_kind k, const char *spec)
{
	char err[POLICY_ERR_MAX] = "";

	if (policy_add_spec(p, k, spec, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", spec, err);
}

static void spec_fields(void **state)
{
	struct policy p;
	struct task_info chrome = task(10, "chrome", 1000, 0);
	struct task_info other = task(11, "bash", 0, 0);

	(void)state;
	policy_init(&p, 999);
	add_ok(&p, POLICY_PREFER, "^chrome$");             /* bare = comm */
	assert_int_equal(p.rules[0].field, POLICY_FIELD_COMM);
	add_ok(&p, POLICY_AVOID, "cmdline:--flag");
	assert_int_equal(p.rules[1].field, POLICY_FIELD_CMDLINE);
	add_ok(&p, POLICY_IGNORE, "exe:^/usr/bin/sshd$");
	add_ok(&p, POLICY_PROTECT, "cgroup:^/system\\.slice/");
	add_ok(&p, POLICY_PROTECT, "uid:4242");
	add_ok(&p, POLICY_PROTECT, "uid:root");
	assert_int_equal(p.rules[5].uid, 0);
	add_ok(&p, POLICY_AVOID, "Web Content:x");         /* not a field word: comm regex */
	assert_int_equal(p.rules[6].field, POLICY_FIELD_COMM);
	assert_true(policy_matches(&p, POLICY_PREFER, &chrome));
	assert_false(policy_matches(&p, POLICY_PREFER, &other));
	assert_true(policy_matches(&p, POLICY_AVOID, &chrome));
	assert_true(policy_matches(&p, POLICY_PROTECT, &other)); /* uid:root */
	assert_int_equal(policy_proc_details(&p) & (PROC_DETAIL_CMDLINE | PROC_DETAIL_EXE),
			 PROC_DETAIL_CMDLINE | PROC_DETAIL_EXE);
	policy_free(&p);
}

static void spec_errors(void **state)
{
	struct policy p;
	char err[POLICY_ERR_MAX];

	(void)state;
	policy_init(&p, 1);
	assert_int_equal(policy_add_spec(&p, POLICY_PREFER, "cmdlin:x", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown field in 'cmdlin:x'"));
	assert_int_equal(policy_add_spec(&p, POLICY_PREFER, "comm:[", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad comm regex '['"));
	assert_int_equal(policy_add_spec(&p, POLICY_AVOID, "uid:-3", err, sizeof(err)), -EINVAL);
	assert_int_equal(policy_add_spec(&p, POLICY_AVOID, "uid:no-such-user-xyz", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no such user"));
	assert_int_equal(policy_add_spec(&p, POLICY_AVOID, "comm:", err, sizeof(err)), -EINVAL);
	assert_int_equal(p.nr, 0);
	for (int i = 0; i < POLICY_MAX_RULES; i++)
		add_ok(&p, POLICY_AVOID, "x");
	assert_int_equal(policy_add_spec(&p, POLICY_AVOID, "x", err, sizeof(err)), -ENOSPC);
	policy_free(&p);
}

static void names(void **state)
{
	enum policy_field f;
	enum self_raised_adj m;

	(void)state;
	assert_int_equal(policy_field_parse("cgroup", &f), 0);
	assert_int_equal(f, POLICY_FIELD_CGROUP);
	assert_int_equal(policy_self_raised_parse("ignore", &m), 0);
	assert_int_equal(m, SELF_RAISED_IGNORE);
	assert_int_equal(policy_self_raised_parse("maybe", &m), -EINVAL);
	assert_string_equal(policy_tier_name(POLICY_TIER_AVOID), "avoid");
}

static void tiers(void **state)
{
	struct policy p;
	struct task_info chrome = task(10, "chrome", 1000, 0);
	struct task_info java = task(11, "java", 1000, 0);
	struct task_info sshd = task(12, "sshd", 0, 0);
	struct task_info db = task(13, "postgres", 112, 0);
	struct task_info plain = task(14, "cat", 1000, 0);
	struct task_info self = task(999, "oomkit", 0, 0);

	(void)state;
	policy_init(&p, 999);
	add_ok(&p, POLICY_PREFER, "^chrome$");
	add_ok(&p, POLICY_AVOID, "^(java|chrome)$");
	add_ok(&p, POLICY_IGNORE, "^sshd$");
	add_ok(&p, POLICY_PROTECT, "uid:112");
	assert_int_equal(policy_tier_of(&p, &chrome), POLICY_TIER_PREFER); /* prefer beats avoid */
	assert_int_equal(policy_tier_of(&p, &java), POLICY_TIER_AVOID);
	assert_int_equal(policy_tier_of(&p, &sshd), POLICY_TIER_NONE);
	assert_int_equal(policy_tier_of(&p, &db), POLICY_TIER_NONE);
	assert_int_equal(policy_tier_of(&p, &plain), POLICY_TIER_NORMAL);
	assert_int_equal(policy_tier_of(&p, &self), POLICY_TIER_NONE);
	/* ignored: not a victim, but may die with its group; protected: never */
	assert_true(policy_may_kill_member(&p, &sshd));
	assert_false(policy_may_kill_member(&p, &db));
	assert_false(policy_may_kill_member(&p, &self));
	policy_free(&p);
}

static void hostile_comm_is_matched_as_bytes(void **state)
{
	struct policy p;
	struct task_info t = task(20, "x) \n$(touch /p)", 1000, 0);

	(void)state;
	policy_init(&p, 1);
	add_ok(&p, POLICY_PREFER, "comm:^x\\) \\$");
	assert_false(policy_matches(&p, POLICY_PREFER, &t));
	add_ok(&p, POLICY_PREFER, "comm:^x\\) .\\$\\(touch /p\\)$"); /* '.' matches the newline */
	assert_true(policy_matches(&p, POLICY_PREFER, &t));
	policy_free(&p);
}

static void self_raised(void **state)
{
	struct task_info tasks[5];
	struct proc_snapshot snap = { .tasks = tasks, .nr = 5, .cap = 5 };

	(void)state;
	tasks[0] = task(100, "firefox", 1000, 0);
	tasks[1] = task(101, "Web Content", 1000, 667);  /* child raised its own */
	tasks[1].ppid = 100;
	tasks[2] = task(102, "svc", 1000, 500);          /* set by the service manager */
	tasks[3] = task(103, "rootjob", 0, 300);          /* root's choice */
	tasks[3].ppid = 100;
	tasks[4] = task(104, "inherits", 1000, 667);     /* same adj as its parent */
	tasks[4].ppid = 101;
	assert_false(policy_self_raised_adj(&tasks[0], &snap));
	assert_true(policy_self_raised_adj(&tasks[1], &snap));
	assert_false(policy_self_raised_adj(&tasks[2], &snap));
	assert_false(policy_self_raised_adj(&tasks[3], &snap));
	assert_false(policy_self_raised_adj(&tasks[4], &snap));
	tasks[1].ppid = 4242;                             /* parent gone: honour */
	assert_false(policy_self_raised_adj(&tasks[1], &snap));
}

/* The tiers through select_bad_process(), and self-raised adj ignored. */
static void select_through_tiers(void **state)
{
	struct task_info tasks[4];
	struct proc_snapshot snap = { .tasks = tasks, .nr = 4, .cap = 4 };
	struct oom_control oc;
	struct policy p;
	enum policy_tier tier;

	(void)state;
	memset(&oc, 0, sizeof(oc));
	oc.page_size = 4096;
	oc.totalpages = 1000000;
	tasks[0] = task(100, "shell", 1000, 0);
	tasks[0].rss_anon_kb = 4000;
	tasks[0].rss_pages = 1000;
	tasks[1] = task(101, "renderer", 1000, 500);      /* raised its own adj */
	tasks[1].ppid = 100;
	tasks[1].rss_anon_kb = 40000;
	tasks[1].rss_pages = 10000;
	tasks[2] = task(102, "db", 1000, 0);
	tasks[2].rss_anon_kb = 400000;
	tasks[2].rss_pages = 100000;
	tasks[3] = task(103, "batch", 1000, 0);
	tasks[3].rss_anon_kb = 100000;
	tasks[3].rss_pages = 25000;
	policy_init(&p, 1);
	assert_int_equal(select_bad_process(&oc, &snap, &p, &tier), 0);
	assert_int_equal(oc.chosen->pid, 101);            /* 10000 + 500000 pages */
	p.self_raised = SELF_RAISED_IGNORE;
	assert_int_equal(select_bad_process(&oc, &snap, &p, &tier), 0);
	assert_int_equal(oc.chosen->pid, 102);            /* ranked as adj 0 */
	assert_int_equal(tasks[1].oom_score_adj, 500);    /* and put back */
	add_ok(&p, POLICY_AVOID, "^db$");
	add_ok(&p, POLICY_PREFER, "^shell$");
	assert_int_equal(select_bad_process(&oc, &snap, &p, &tier), 0);
	assert_int_equal(oc.chosen->pid, 100);
	assert_int_equal(tier, POLICY_TIER_PREFER);
	add_ok(&p, POLICY_PROTECT, "^(shell|renderer|batch)$");
	assert_int_equal(select_bad_process(&oc, &snap, &p, &tier), 0);
	assert_int_equal(oc.chosen->pid, 102);            /* avoided, but the only one */
	assert_int_equal(tier, POLICY_TIER_AVOID);
	add_ok(&p, POLICY_IGNORE, "^db$");
	assert_int_equal(select_bad_process(&oc, &snap, &p, &tier), -ESRCH);
	assert_int_equal(tier, POLICY_TIER_NONE);
	policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_fields),
		cmocka_unit_test(spec_errors),
		cmocka_unit_test(names),
		cmocka_unit_test(tiers),
		cmocka_unit_test(hostile_comm_is_matched_as_bytes),
		cmocka_unit_test(self_raised),
		cmocka_unit_test(select_through_tiers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
