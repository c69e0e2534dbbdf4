/* cmd_kill.c - `oomkit kill`: one user-space OOM kill, the sysrq-f of user
 * space (doc/kill.md): snapshot, policy selection, oom_kill_process(),
 * kernel-shaped report (and --json). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/badness.h"
#include "core/cgroup.h"
#include "core/cgroup_ns.h"
#include "commands.h"
#include "exitcode.h"
#include "kill.h"
#include "kill_knobs.h"
#include "core/mem.h"
#include "core/policy.h"
#include "core/proc.h"
#include "core/report.h"
#include "core/scene.h"
#include "core/select.h"
#include "core/util.h"

struct kill_opts {
	const char *cgroup;
	bool dry_run, json, kmsg;
	enum kill_unit unit;
	int timeout_ms;
	int signal;
	bool reap;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: oomkit kill [--cgroup PATH] [--dry-run|--dryrun] [--json] [--kmsg] [--unit process|pgroup|cgroup|swarm]\n"
		"                   [--prefer RULE]... [--avoid RULE]... [--ignore RULE]... [--protect RULE]...\n"
		"                   [--self-raised-adj honor|ignore] [--timeout SECS] [--signal KILL|TERM] [--no-reap]\n"
		"\n"
		"Selects the process the kernel's OOM killer would choose (globally, or inside the\n"
		"memory cgroup PATH: a directory, or a path relative to the memory controller's root),\n"
		"after the policy rules, kills it race-free through a pidfd, with every process sharing\n"
		"its memory, reaps it (process_mrelease) and prints a kernel-shaped report to stderr.\n"
		"RULE is FIELD:REGEX with FIELD comm (the default), cmdline, exe, cgroup, or uid:N|NAME.\n"
		"Exit: 0 killed (or dry run), 3 bad cgroup, 6 no victim or it vanished, 7 kill failed or\n"
		"timed out. See doc/kill.md.\n");
}

enum { OPT_PREFER = 256, OPT_AVOID, OPT_IGNORE, OPT_PROTECT, OPT_SELF_RAISED, OPT_KMSG, OPT_UNIT,
       OPT_TIMEOUT, OPT_SIGNAL, OPT_NO_REAP };

static const struct option long_opts[] = {
	{ "cgroup", required_argument, NULL, 'c' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "dryrun", no_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "kmsg", no_argument, NULL, OPT_KMSG },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ "prefer", required_argument, NULL, OPT_PREFER },
	{ "avoid", required_argument, NULL, OPT_AVOID },
	{ "ignore", required_argument, NULL, OPT_IGNORE },
	{ "protect", required_argument, NULL, OPT_PROTECT },
	{ "self-raised-adj", required_argument, NULL, OPT_SELF_RAISED },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "signal", required_argument, NULL, OPT_SIGNAL },
	{ "no-reap", no_argument, NULL, OPT_NO_REAP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "oomkit kill: --timeout: expected seconds, 1..3600, not 'x'" and the hint */
static int bad_arg(const char *opt, const char *what, const char *arg)
{
	if (arg)
		cli_error("kill", "%s: %s, not '%s'", opt, what, arg);
	else
		cli_error("kill", "%s: %s", opt, what);
	return EXIT_USAGE;
}

static int parse_rule(struct policy *p, int opt, const char *arg)
{
	static const enum policy_kind kinds[] = { POLICY_PREFER, POLICY_AVOID, POLICY_IGNORE, POLICY_PROTECT };
	enum policy_kind kind = kinds[opt - OPT_PREFER];
	char err[POLICY_ERR_MAX], opt_name[32];

	if (policy_add_spec(p, kind, arg, err, sizeof(err)) == 0)
		return 0;
	snprintf(opt_name, sizeof(opt_name), "--%s", policy_kind_name(kind));
	return bad_arg(opt_name, err, NULL);
}

static int parse_opt(struct kill_opts *o, struct policy *p, int c, const char *arg)
{
	int secs;

	switch (c) {
	case 'c': o->cgroup = arg; return 0;
	case 'n': o->dry_run = true; return 0;
	case 'j': o->json = true; return 0;
	case OPT_KMSG: o->kmsg = true; return 0;
	case OPT_NO_REAP: o->reap = false; return 0;
	case OPT_UNIT:
		return kill_unit_parse(arg, &o->unit) ? bad_arg("--unit", "expected process, pgroup, cgroup or swarm", arg) : 0;
	case OPT_PREFER: case OPT_AVOID: case OPT_IGNORE: case OPT_PROTECT:
		return parse_rule(p, c, arg);
	case OPT_SELF_RAISED:
		return policy_self_raised_parse(arg, &p->self_raised) ? bad_arg("--self-raised-adj", "expected honor or ignore", arg) : 0;
	case OPT_TIMEOUT:
		if (parse_int(arg, &secs) < 0 || secs < 1 || secs > 3600)
			return bad_arg("--timeout", "expected seconds, 1..3600", arg);
		o->timeout_ms = secs * 1000;
		return 0;
	case OPT_SIGNAL:
		if (!strcmp(arg, "KILL") || !strcmp(arg, "SIGKILL"))
			o->signal = SIGKILL;
		else if (!strcmp(arg, "TERM") || !strcmp(arg, "SIGTERM"))
			o->signal = SIGTERM;
		else
			return bad_arg("--signal", "expected KILL or TERM", arg);
		return 0;
	case 'h':
		usage(stdout);
		return -1;
	default: /* getopt's '?' and ':', told by the caller */
		return EXIT_USAGE;
	}
}

static void set_invoker(struct oom_control *oc)
{
	char buf[64];

	oc->invoker.pid = getpid();
	if (read_file_at(AT_FDCWD, "/proc/self/comm", buf, sizeof(buf)) > 0)
		buf[strcspn(buf, "\n")] = '\0';
	else
		snprintf(buf, sizeof(buf), "oomkit");
	snprintf(oc->invoker.comm, sizeof(oc->invoker.comm), "%s", buf);
	if (read_file_at(AT_FDCWD, "/proc/self/oom_score_adj", buf, sizeof(buf)) > 0)
		parse_int(buf, &oc->invoker.oom_score_adj);
}

/* The scene: global (RAM + swap) or a memcg (its limit), core's
 * constrained_alloc() as rank's. */
static int set_scene(struct oom_control *oc, const struct kill_opts *o, struct meminfo *mi,
		     struct memcg_state *mcg, struct memcg_roots *roots, struct kill_ctx *k)
{
	struct oom_scene scene = { .page_size = oom_page_size() };
	struct memcg_bound b;
	enum cgroup_version v;
	uint64_t limit;
	int r;

	oc->order = -1;
	oc->kill_signal = o->signal;
	oc->dry_run = o->dry_run;
	snprintf(oc->trigger, sizeof(oc->trigger), "manual");
	set_invoker(oc);
	r = meminfo_read("/proc", mi);
	if (r < 0) {
		fprintf(stderr, "oomkit kill: /proc/meminfo: %s\n", strerror(-r));
		return EXIT_NO_PROC;
	}
	scene.mem_total_kb = mi->mem_total_kb;
	scene.swap_total_kb = mi->swap_total_kb;
	if (memcg_roots_find("/proc", roots) == 0) {
		snprintf(k->cgroup_root, sizeof(k->cgroup_root), "%s", *roots->v1 ? roots->v1 : roots->v2);
		k->cgroup_v2 = !*roots->v1;
		cgroup_ns_set_root(roots->ns_root);
	}
	if (!o->cgroup)
		return constrained_alloc(oc, &scene);
	r = memcg_resolve(roots, o->cgroup, oc->memcg_dir, sizeof(oc->memcg_dir), &v);
	if (r == 0)
		r = memcg_read(roots, oc->memcg_dir, v, mcg);
	if (r < 0) {
		fprintf(stderr, "oomkit kill: --cgroup %s: %s\n", o->cgroup,
			r == -ENOTDIR ? "not a memory cgroup" : strerror(-r));
		return EXIT_BAD_CGROUP;
	}
	memcg_bound_of(mcg, &b);
	scene.memcg = &b;
	if (constrained_alloc(oc, &scene) < 0)
		return bad_arg("--cgroup", "path too long", NULL);
	memcg_effective_limit(mcg, &limit);
	if (limit != CGROUP_UNLIMITED)
		kill_ctx_measure_memcg(k, oc->memcg_dir, v == CGROUP_V2, limit);
	return 0;
}

/* By what happened, not by errno: a refused victim (-EPERM) is no
 * victim, a signal we may not send (EPERM too) is a failed kill. */
static int exit_code(const struct oom_kill_result *res, int r)
{
	if (r == 0)
		return EXIT_OK;
	switch (res->outcome) {
	case KILL_VICTIM_GONE:
	case KILL_PID_REUSED:
	case KILL_TOO_YOUNG:
	case KILL_REFUSED:
		return EXIT_NO_VICTIM;
	default:
		return EXIT_KILL_FAILED;
	}
}

static int run(const struct kill_opts *o, struct policy *p, struct kill_ctx *k)
{
	struct oom_control oc = { .constraint = CONSTRAINT_NONE };
	struct proc_snapshot snap = { 0 };
	struct memcg_roots roots;
	struct memcg_state mcg;
	struct meminfo mi;
	struct report rep;
	enum policy_tier tier;
	int kmsg_fd = -1, r;

	memset(&roots, 0, sizeof(roots));
	r = set_scene(&oc, o, &mi, &mcg, &roots, k);
	if (r)
		return r;
	if (o->kmsg && (kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC)) < 0)
		fprintf(stderr, "oomkit kill: /dev/kmsg: %s (report to stderr only)\n", strerror(errno));
	report_init(&rep, stderr, kmsg_fd);
	kill_ctx_snapshot_begins(k);
	r = proc_snapshot_take(&snap, "/proc", policy_proc_details(p) | PROC_DETAIL_CMDLINE | PROC_DETAIL_EXE);
	if (r < 0) {
		fprintf(stderr, "oomkit kill: /proc: %s\n", strerror(-r));
		r = EXIT_NO_PROC;
		goto out;
	}
	for (size_t i = 0; i < snap.nr; i++)
		task_find_mm("/proc", &snap.tasks[i], k->dents, sizeof(k->dents));
	oc.t_select_ns = now_ns();
	r = select_bad_process(&oc, &snap, p, &tier);
	dump_header(&rep, &oc, &mi, oc.constraint == CONSTRAINT_MEMCG ? &mcg : NULL);
	dump_tasks(&rep, &oc, &snap);
	if (r < 0) {
		report_no_victim(&rep);
		r = r == -ESRCH ? EXIT_NO_VICTIM : EXIT_FAILURE_GENERIC;
		goto out;
	}
	dump_oom_summary(&rep, &oc, oc.chosen);
	r = exit_code(&k->res, oom_kill_process(&oc, k));
	report_kill(&rep, &oc);
	if (o->dry_run)
		kill_knobs_report(stderr, &oc, "/proc", &roots, o->unit);
	if (o->json)
		report_kill_json(stdout, &oc, policy_tier_name(tier));
out:
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	proc_snapshot_free(&snap);
	return r;
}

int cmd_kill(int argc, char **argv)
{
	struct kill_opts o = { .unit = KILL_UNIT_PROCESS, .timeout_ms = 10000, .signal = SIGKILL, .reap = true };
	struct policy p;
	struct kill_ctx *k;
	const char *pause;
	int c, r = 0;

	policy_init(&p, getpid());
	optind = 1;
	opterr = 0;
	while (r == 0 && (c = getopt_long(argc, argv, ":c:njh", long_opts, NULL)) != -1) {
		r = parse_opt(&o, &p, c, optarg);
		if (c == '?' || c == ':')
			cli_getopt_error("kill", c, argv);
	}
	if (r == 0 && optind < argc) {
		cli_error("kill", "unexpected argument '%s'", argv[optind]);
		r = EXIT_USAGE;
	}
	if (r != 0) {
		policy_free(&p);
		return r < 0 ? EXIT_OK : r;
	}
	k = kill_ctx_new("/proc");
	if (!k) {
		fprintf(stderr, "oomkit kill: /proc: %s\n", strerror(errno));
		policy_free(&p);
		return EXIT_NO_PROC;
	}
	k->unit = o.unit;
	k->timeout_ms = o.timeout_ms;
	k->reap = o.reap;
	k->policy = &p;
	pause = getenv("OOMKIT_TEST_PAUSE");
	if (pause)
		k->test_pause = !strcmp(pause, "before-pidfd") ? KILL_PAUSE_BEFORE_PIDFD :
				!strcmp(pause, "before-verify") ? KILL_PAUSE_BEFORE_VERIFY : KILL_PAUSE_NONE;
	r = run(&o, &p, k);
	kill_ctx_free(k);
	policy_free(&p);
	return r;
}
