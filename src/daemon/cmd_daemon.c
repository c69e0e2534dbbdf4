/* cmd_daemon.c - `oomkit daemon`: the command line (oomkit's own options
 * and earlyoom's, with earlyoom's meaning, so that its users switch by
 * changing one word), --check-config, self-protection (mlockall, own
 * oom_score_adj, nice, SCHED_FIFO), then the loop of daemon.c.
 * Options become (section, key, value) overrides applied after the files,
 * again on every SIGHUP. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "commands.h"
#include "daemon.h"
#include "daemon_publish.h"
#include "daemon_log.h"
#include "kernel_oom.h"
#include "exitcode.h"
#include "core/util.h"

static char pool[8192]; /* override values made up from split options */
static size_t pool_used;

static const char *pool_dup(const char *s, size_t n)
{
	char *p;

	if (pool_used + n + 1 > sizeof(pool))
		return "";
	p = pool + pool_used;
	memcpy(p, s, n);
	p[n] = '\0';
	pool_used += n + 1;
	return p;
}

/* Every option's value is checked when it is read, on a scratch
 * configuration, so that a bad one is a usage error naming the option. */
static struct oomkit_config scratch;
static struct config_error scratch_err;

static int add(struct daemon *d, const char *section, const char *key, const char *value)
{
	if (d->nr_overrides == DAEMON_MAX_OVERRIDES) {
		snprintf(scratch_err.msg, sizeof(scratch_err.msg), "too many options (at most %d)",
			 DAEMON_MAX_OVERRIDES);
		return -E2BIG;
	}
	if (!strcmp(section, "cgroup") && !strcmp(key, "path") &&
	    config_begin_cgroup(&scratch, &scratch_err))
		return -EINVAL;
	if (config_set(&scratch, section, key, value, &scratch_err))
		return -EINVAL;
	d->overrides[d->nr_overrides++] = (struct daemon_override){ section, key, value };
	return 0;
}

/* earlyoom's "TERM[,KILL]": KILL defaults to half of TERM. Percentages
 * (is_size false) or sizes: a bare number is KiB as in earlyoom, a unit
 * (512M, 1G) reads as in the config file. */
static int add_pair(struct daemon *d, const char *section, const char *term_key,
		    const char *kill_key, const char *arg, bool is_size)
{
	const char *comma = strchr(arg, ',');
	size_t n = comma ? (size_t)(comma - arg) : strlen(arg);
	char term[64], kill[64];
	unsigned long kb;
	double v;

	snprintf(scratch_err.msg, sizeof(scratch_err.msg), "expected %s, not '%s'",
		 is_size ? "SIZE[,KILL_SIZE] (KiB, or with a unit: 1G,512M)"
			 : "PERCENT[,KILL_PERCENT] (10,5)", arg);
	if (n == 0 || n >= sizeof(term) - 2 || (comma && !comma[1]))
		return -EINVAL;
	memcpy(term, arg, n);
	term[n] = '\0';
	if (is_size ? config_parse_size_kb(term, &kb) : config_parse_percent(term, &v))
		return -EINVAL;
	if (comma)
		snprintf(kill, sizeof(kill), "%s", comma + 1);
	else if (is_size)
		snprintf(kill, sizeof(kill), "%luK", kb / 2);
	else
		snprintf(kill, sizeof(kill), "%g", v / 2);
	for (char *p = term; p; p = p == term ? kill : NULL) /* bare numbers: earlyoom's units */
		if (p[0] && strchr("0123456789.", p[strlen(p) - 1]))
			strcat(p, is_size ? "K" : "%");
	if (add(d, section, term_key, pool_dup(term, strlen(term))) ||
	    add(d, section, kill_key, pool_dup(kill, strlen(kill))))
		return -EINVAL;
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: oomkit daemon [OPTIONS]\n"
	      "Watches memory (MemAvailable/SwapFree floors, PSI, memory cgroups) and kills\n"
	      "before the kernel has to. Reads /etc/oomkit.conf and /etc/oomkit.conf.d/*.conf;\n"
	      "options override them. See oomkit.conf(5) and doc/daemon.md.\n\n"
	      "  --config FILE          read FILE (and FILE.d/) instead of /etc/oomkit.conf\n"
	      "  --check-config         validate, print the effective configuration, exit\n"
	      "  --cgroup PATH          watch this memory cgroup (v1 or v2), repeatable\n"
	      "  --dry-run, --dryrun    do everything but send signals\n"
	      "  --observe              watch and publish (the kernel's OOM kills too), never kill\n"
	      "  --protect RULE         never kill a match; RULE is [FIELD:]REGEX as in kill\n"
	      "  --unit UNIT            process, pgroup or cgroup: the victim alone, its process\n"
	      "                         group (as -g) or its whole memory cgroup\n"
	      "                         (a fork bomb is always taken as a whole)\n"
	      "  --psi SPEC             PSI trigger: 'full 40% 2s', 'some 150ms 1s', 'off'\n"
	      "  --psi-sustained SPEC   'full avg10 50% 20s' or 'off'\n"
	      "  --grace DURATION       SIGTERM -> SIGKILL after this long (default 2s)\n"
	      "  --json-file FILE       append one JSON event per kill\n"
	      "  --kmsg                 copy kill reports to /dev/kmsg\n"
	      "  --syslog               log to syslog (/dev/log, facility daemon) instead of stderr\n"
	      "  --set SECTION.KEY=VALUE  any configuration key\n"
	      "  --no-mlockall          do not lock the daemon in memory\n"
	      "  --proc-root DIR        read DIR instead of /proc (tests)\n"
	      "earlyoom's options, same meaning:\n"
	      "  -m PERCENT[,KILL_PERCENT]  MemAvailable floors (default 10,5)\n"
	      "  -s PERCENT[,KILL_PERCENT]  SwapFree floors (default 10,5)\n"
	      "  -M SIZE[,KILL_SIZE]        MemAvailable floors, KiB or with a unit (1G,512M)\n"
	      "  -S SIZE[,KILL_SIZE]        SwapFree floors, KiB or with a unit\n"
	      "  --prefer RULE, --avoid RULE, --ignore RULE   [FIELD:]REGEX, the name by default\n"
	      "  --ignore-root-user     never kill root's processes\n"
	      "  -g                     the SIGKILL step kills the victim's process group, each\n"
	      "                         member through its pidfd, protected ones spared\n"
	      "  -n                     D-Bus notification per kill\n"
	      "  -N PATH                run PATH after each kill;  -P PATH: before\n"
	      "  -r SECONDS             memory report interval (0: off, the default)\n"
	      "  -p                     raise priority (nice -20)\n"
	      "  -d, --debug            debug lines\n"
	      "Exit: 2 bad option, 3 watched cgroup missing, 8 invalid configuration.\n", f);
}

enum {
	OPT_CONFIG = 256, OPT_CHECK, OPT_CGROUP, OPT_DRY, OPT_PSI, OPT_PSI_SUST, OPT_GRACE,
	OPT_JSON, OPT_KMSG, OPT_SYSLOG, OPT_SET, OPT_PREFER, OPT_AVOID, OPT_IGNORE, OPT_IGNORE_ROOT,
	OPT_SORT_RSS, OPT_PROC_ROOT, OPT_NO_MLOCK, OPT_HELP, OPT_OBSERVE, OPT_PROTECT, OPT_UNIT,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "check-config", no_argument, NULL, OPT_CHECK },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "dryrun", no_argument, NULL, OPT_DRY },
	{ "observe", no_argument, NULL, OPT_OBSERVE },
	{ "psi", required_argument, NULL, OPT_PSI },
	{ "psi-sustained", required_argument, NULL, OPT_PSI_SUST },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "json-file", required_argument, NULL, OPT_JSON },
	{ "kmsg", no_argument, NULL, OPT_KMSG },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "set", required_argument, NULL, OPT_SET },
	{ "prefer", required_argument, NULL, OPT_PREFER },
	{ "avoid", required_argument, NULL, OPT_AVOID },
	{ "ignore", required_argument, NULL, OPT_IGNORE },
	{ "protect", required_argument, NULL, OPT_PROTECT },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ "ignore-root-user", no_argument, NULL, OPT_IGNORE_ROOT },
	{ "sort-by-rss", no_argument, NULL, OPT_SORT_RSS },
	{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
	{ "no-mlockall", no_argument, NULL, OPT_NO_MLOCK },
	{ "debug", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ 0, 0, 0, 0 },
};

/* --set memory.available_term_percent=5 */
static int add_set(struct daemon *d, const char *arg)
{
	const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');

	if (!dot || !eq || eq < dot) {
		snprintf(scratch_err.msg, sizeof(scratch_err.msg),
			 "expected SECTION.KEY=VALUE (kill.grace=5s), not '%s'", arg);
		return -EINVAL;
	}
	return add(d, pool_dup(arg, (size_t)(dot - arg)), pool_dup(dot + 1, (size_t)(eq - dot - 1)), eq + 1);
}

struct cli {
	bool check;
	bool have_m, have_M, have_s, have_S;
};

/* Options that set one configuration key: to value, or to the option's
 * argument when value is NULL. */
static const struct opt_key {
	int opt;
	const char *section, *key, *value;
} opt_keys[] = {
	{ OPT_CGROUP, "cgroup", "path", NULL },
	{ OPT_DRY, "kill", "dry_run", "yes" },
	{ OPT_OBSERVE, "kill", "observe", "yes" },
	{ OPT_PSI, "psi", "trigger", NULL },
	{ OPT_PSI_SUST, "psi", "sustained", NULL },
	{ OPT_GRACE, "kill", "grace", NULL },
	{ OPT_JSON, "log", "json_file", NULL },
	{ OPT_KMSG, "log", "kmsg", "yes" },
	{ OPT_SYSLOG, "log", "syslog", "yes" },
	{ OPT_PREFER, "kill", "prefer", NULL },
	{ OPT_AVOID, "kill", "avoid", NULL },
	{ OPT_IGNORE, "kill", "ignore", NULL },
	{ OPT_PROTECT, "kill", "protect", NULL },
	{ OPT_UNIT, "kill", "unit", NULL },
	{ OPT_IGNORE_ROOT, "kill", "ignore_root_user", "yes" },
	{ OPT_PROC_ROOT, "daemon", "proc_root", NULL },
	{ OPT_NO_MLOCK, "daemon", "mlockall", "no" },
	{ 'n', "log", "notify_dbus", "yes" },
	{ 'N', "hooks", "post_kill", NULL },
	{ 'P', "hooks", "pre_kill", NULL },
	{ 'r', "log", "report_interval", NULL },
	{ 'p', "daemon", "nice", "-20" },
	{ 'd', "log", "debug", "yes" },
	{ 'g', "kill", "kill_pgroup", "yes" },
};

static int parse_one(struct daemon *d, struct cli *cli, int opt, const char *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_keys); i++)
		if (opt_keys[i].opt == opt)
			return add(d, opt_keys[i].section, opt_keys[i].key,
				   opt_keys[i].value ? opt_keys[i].value : arg);
	switch (opt) {
	case OPT_CONFIG:
		d->config_path = arg;
		d->config_path_explicit = true;
		return 0;
	case OPT_CHECK:
		cli->check = true;
		return 0;
	case OPT_SET:
		return add_set(d, arg);
	case OPT_SORT_RSS:
		fprintf(stderr, "oomkit daemon: --sort-by-rss ignored: oomkit ranks by the kernel's badness\n");
		return 0;
	case 'm':
		cli->have_m = true;
		return add_pair(d, "memory", "available_term_percent", "available_kill_percent", arg, false);
	case 's':
		cli->have_s = true;
		return add_pair(d, "memory", "swap_free_term_percent", "swap_free_kill_percent", arg, false);
	case 'M':
		cli->have_M = true;
		return add_pair(d, "memory", "available_term_size", "available_kill_size", arg, true);
	case 'S':
		cli->have_S = true;
		return add_pair(d, "memory", "swap_free_term_size", "swap_free_kill_size", arg, true);
	case 'i':
	case 'k':
		return 0; /* earlyoom's deprecated no-ops */
	}
	return -EINVAL;
}

/* earlyoom: -M alone replaces the percentages; with -m the lower wins. */
static int finish_pairs(struct daemon *d, const struct cli *cli)
{
	if (cli->have_M && !cli->have_m &&
	    (add(d, "memory", "available_term_percent", "0") ||
	     add(d, "memory", "available_kill_percent", "0")))
		return -E2BIG;
	if (cli->have_S && !cli->have_s &&
	    (add(d, "memory", "swap_free_term_percent", "0") ||
	     add(d, "memory", "swap_free_kill_percent", "0")))
		return -E2BIG;
	return 0;
}

/* The option as the user wrote it: "--grace" or "-m". */
static void opt_name(int opt, char *out, size_t size)
{
	for (size_t i = 0; long_opts[i].name; i++)
		if (long_opts[i].val == opt) {
			snprintf(out, size, "--%s", long_opts[i].name);
			return;
		}
	snprintf(out, size, "-%c", opt);
}

static int parse_args(struct daemon *d, struct cli *cli, int argc, char **argv)
{
	char name[32];
	int opt;

	config_defaults(&scratch);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":m:s:M:S:nN:P:r:pdgikh", long_opts, NULL)) != -1) {
		if (opt == OPT_HELP || opt == 'h') {
			usage(stdout);
			return 1;
		}
		if (opt == '?' || opt == ':') {
			cli_getopt_error("daemon", opt, argv);
			return -EINVAL;
		}
		if (parse_one(d, cli, opt, optarg)) {
			/* "grace: 'x' is not ..." reads "--grace: 'x' is not ..." */
			const char *msg = scratch_err.msg, *q = strstr(msg, ": '");

			if (q && opt != OPT_SET && !memchr(msg, ' ', (size_t)(q - msg)))
				msg = q + 2;
			opt_name(opt, name, sizeof(name));
			cli_error("daemon", "%s: %s", name, msg);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		cli_error("daemon", "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (finish_pairs(d, cli)) {
		cli_error("daemon", "%s", scratch_err.msg);
		return -EINVAL;
	}
	return 0;
}

/* The capability an EPERM (or mlockall's ENOMEM under RLIMIT_MEMLOCK)
 * means is missing, for the warning. */
static const char *missing_cap(int e, const char *cap)
{
	return e == EPERM || e == EACCES || e == ENOMEM ? cap : "";
}

static int lock_memory(void)
{
	return mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) && mlockall(MCL_CURRENT | MCL_FUTURE) ? -errno : 0;
}

/* Once started: what start-up freed (libbpf's loading, the configuration's
 * parsing) goes back first, so that it is neither resident nor locked;
 * what start-up left in use, the kill context pre-touched among it, is
 * locked where it is (MCL_CURRENT), the rest as it is faulted in. A page
 * freed while locked would stay resident: madvise(MADV_DONTNEED), which
 * malloc_trim() uses, refuses locked pages (bench/RESULTS.md). */
static void lock_self(const struct oomkit_config *c)
{
	int r;

	malloc_trim(0);
	if (c->mlockall && (r = lock_memory()) < 0)
		dlog(DLOG_WARNING, "mlockall: %s%s (running unlocked)", strerror(-r),
		     missing_cap(-r, ": needs CAP_IPC_LOCK or a larger RLIMIT_MEMLOCK"));
}

/* Best effort: a failure is a warning, the daemon still protects. */
static void protect_self(const struct oomkit_config *c)
{
	char adj[16];
	int r;

	snprintf(adj, sizeof(adj), "%d", c->oom_score_adj);
	r = write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", adj);
	if (r)
		dlog(DLOG_WARNING, "cannot set own oom_score_adj to %s: %s%s", adj, strerror(-r),
		     missing_cap(-r, c->oom_score_adj < 0 ? ": lowering it needs CAP_SYS_RESOURCE" : ""));
	if (c->nice && setpriority(PRIO_PROCESS, 0, c->nice))
		dlog(DLOG_WARNING, "setpriority(%d): %s%s", c->nice, strerror(errno),
		     missing_cap(errno, ": a negative nice needs CAP_SYS_NICE"));
	if (c->sched_fifo) {
		struct sched_param sp = { .sched_priority = c->sched_fifo };
		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp))
			dlog(DLOG_WARNING, "SCHED_FIFO %d: %s%s", c->sched_fifo, strerror(errno),
			     missing_cap(errno, ": needs CAP_SYS_NICE"));
	}
}

static void describe(const struct daemon *d)
{
	const struct oomkit_config *c = &d->cfg;

	dlog(DLOG_NOTICE, "oomkit daemon: MemAvailable floors %g%%/%g%% (SIGTERM/SIGKILL)%s, "
			  "PSI trigger %s, %zu memory cgroup(s), scanner %s%s%s",
	     c->mem_term.percent, c->mem_kill.percent, c->memory_enabled ? "" : " off",
	     d->sys.psi_fd >= 0 ? "armed" : "off", d->nr_cg, proc_scanner_method(&d->sel.scanner),
	     c->dry_run ? ", DRY RUN" : "", c->observe ? ", OBSERVE ONLY (never kills)" : "");
	for (size_t i = 0; i < d->nr_cg; i++)
		dlog(DLOG_NOTICE, "watching %s (cgroup v%d)%s%s", d->cg[i].dir, d->cg[i].version,
		     d->cg[i].set_oom_kill_disable ? ", oom_kill_disable=1: oomkit is its OOM handler" : "",
		     d->cg[i].brake_bytes ? ", memory.high at its SIGTERM floor (a brake)" : "");
}

int cmd_daemon(int argc, char **argv)
{
	static struct daemon d; /* large; one per process */
	static struct publisher pub; /* metrics, status, D-Bus (daemon_publish.h) */
	struct config_error err = { 0 };
	struct cli cli = { 0 };
	char why[512];
	int r;

	d.sigfd = -1;
	r = parse_args(&d, &cli, argc, argv);
	if (r)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	if (daemon_load_config(&d, &d.cfg, &err) || (cli.check && config_check_system(&d.cfg, &err))) {
		fprintf(stderr, "oomkit daemon: %s%s%.0d%s%s\n", err.file, err.line ? ":" : "", err.line,
			err.file[0] ? ": " : "", err.msg);
		return EXIT_CONFIG;
	}
	if (cli.check) {
		config_print(&d.cfg, stdout);
		return EXIT_OK;
	}
	daemon_block_signals();
	/* glibc raises its mmap threshold to the largest block freed, and
	 * libbpf frees 5 MiB ones while it loads the scanner's program: the
	 * buffers allocated after it (scan tables, the kernel-log parser's
	 * events) then came from the heap, 0.45 MiB of it resident for
	 * nothing. A fixed threshold (glibc's default) keeps them in their own
	 * mappings, untouched pages never resident (bench/RESULTS.md). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	/* the publisher thread's few stdio buffers would open an arena of
	 * their own (16 KiB resident); the kill path allocates nothing, so
	 * sharing the main one costs no waiting there */
	mallopt(M_ARENA_MAX, 1);
	protect_self(&d.cfg);
	r = daemon_start(&d, why, sizeof(why));
	if (r) {
		dlog(DLOG_ERR, "%s", why);
		return r == -ENOENT || r == -ENOTDIR ? EXIT_BAD_CGROUP : EXIT_FAILURE_GENERIC;
	}
	r = daemon_publish_start(&d, &pub, why, sizeof(why));
	if (r) {
		dlog(DLOG_ERR, "%s", why);
		daemon_stop(&d);
		return r == -EPERM || r == -EINVAL ? EXIT_CONFIG : EXIT_FAILURE_GENERIC;
	}
	describe(&d);
	r = kernel_oom_start(&d, NULL);
	if (r) {
		dlog(DLOG_ERR, "kernel OOM watch: %s", strerror(-r));
		daemon_publish_stop(&d, &pub);
		daemon_stop(&d);
		return EXIT_FAILURE_GENERIC;
	}
	lock_self(&d.cfg);
	r = daemon_run(&d);
	kernel_oom_stop();
	daemon_publish_stop(&d, &pub);
	daemon_stop(&d);
	return r;
}
