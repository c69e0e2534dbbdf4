/* config.c - the table of every configuration key (section, name, type,
 * where it lands, what is expected), the defaults, config_set() and the
 * printer of the effective configuration. The INI reading is config_file.c. */
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "config.h"

enum key_type {
	K_BOOL, K_PERCENT, K_SIZE, K_MS, K_STRING, K_REGEX, K_INT, K_PSI_TRIGGER,
	K_PSI_SUSTAINED, K_SIGNAL, K_CGROUP_PATH, K_SCANNER, K_UNIT, K_MOOM_UNIT,
};

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;            /* in struct oomkit_config, or cgroup_watch_spec for [cgroup] */
	size_t size;              /* strings */
	int min, max;             /* K_INT */
};

#define C(f) offsetof(struct oomkit_config, f)
#define W(f) offsetof(struct cgroup_watch_spec, f)
#define STR(f) sizeof(((struct oomkit_config *)0)->f)

static const struct key keys[] = {
	{ "memory", "enabled", K_BOOL, C(memory_enabled), 0, 0, 0 },
	{ "memory", "available_term_percent", K_PERCENT, C(mem_term.percent), 0, 0, 0 },
	{ "memory", "available_kill_percent", K_PERCENT, C(mem_kill.percent), 0, 0, 0 },
	{ "memory", "available_term_size", K_SIZE, C(mem_term.size_kb), 0, 0, 0 },
	{ "memory", "available_kill_size", K_SIZE, C(mem_kill.size_kb), 0, 0, 0 },
	{ "memory", "swap_free_term_percent", K_PERCENT, C(swap_term.percent), 0, 0, 0 },
	{ "memory", "swap_free_kill_percent", K_PERCENT, C(swap_kill.percent), 0, 0, 0 },
	{ "memory", "swap_free_term_size", K_SIZE, C(swap_term.size_kb), 0, 0, 0 },
	{ "memory", "swap_free_kill_size", K_SIZE, C(swap_kill.size_kb), 0, 0, 0 },
	{ "memory", "commit_term_percent", K_PERCENT, C(commit_term.percent), 0, 0, 0 },
	{ "memory", "commit_kill_percent", K_PERCENT, C(commit_kill.percent), 0, 0, 0 },
	{ "memory", "commit_term_size", K_SIZE, C(commit_term.size_kb), 0, 0, 0 },
	{ "memory", "commit_kill_size", K_SIZE, C(commit_kill.size_kb), 0, 0, 0 },
	{ "psi", "trigger", K_PSI_TRIGGER, C(psi), 0, 0, 0 },
	{ "psi", "sustained", K_PSI_SUSTAINED, C(psi_sustained), 0, 0, 0 },
	{ "psi", "signal", K_SIGNAL, C(psi_signal), 0, 0, 0 },
	{ "psi", "available_below_percent", K_PERCENT, C(psi_mem_below_percent), 0, 0, 0 },
	{ "cgroup", "path", K_CGROUP_PATH, W(path), CONFIG_PATH_MAX, 0, 0 },
	{ "cgroup", "headroom_term_percent", K_PERCENT, W(term.percent), 0, 0, 0 },
	{ "cgroup", "headroom_kill_percent", K_PERCENT, W(kill.percent), 0, 0, 0 },
	{ "cgroup", "headroom_term_size", K_SIZE, W(term.size_kb), 0, 0, 0 },
	{ "cgroup", "headroom_kill_size", K_SIZE, W(kill.size_kb), 0, 0, 0 },
	{ "cgroup", "oom_kill_disable", K_BOOL, W(oom_kill_disable), 0, 0, 0 },
	{ "cgroup", "brake", K_BOOL, W(brake), 0, 0, 0 },
	{ "cgroup", "psi_trigger", K_PSI_TRIGGER, W(psi), 0, 0, 0 },
	{ "kill", "grace", K_MS, C(grace_ms), 0, 0, 0 },
	{ "kill", "cooldown", K_MS, C(cooldown_ms), 0, 0, 0 },
	{ "kill", "exit_timeout", K_MS, C(exit_timeout_ms), 0, 0, 0 },
	{ "kill", "prefer", K_REGEX, C(prefer), STR(prefer), 0, 0 },
	{ "kill", "avoid", K_REGEX, C(avoid), STR(avoid), 0, 0 },
	{ "kill", "ignore", K_REGEX, C(ignore), STR(ignore), 0, 0 },
	{ "kill", "protect", K_REGEX, C(protect), STR(protect), 0, 0 },
	{ "kill", "ignore_root_user", K_BOOL, C(ignore_root_user), 0, 0, 0 },
	{ "kill", "dry_run", K_BOOL, C(dry_run), 0, 0, 0 },
	{ "kill", "kill_group", K_BOOL, C(kill_group), 0, 0, 0 },
	{ "kill", "observe", K_BOOL, C(observe), 0, 0, 0 },
	{ "kill", "unit", K_UNIT, C(kill_group), 0, 0, 0 },
	{ "kill", "kill_pgroup", K_BOOL, C(kill_pgroup), 0, 0, 0 },
	{ "kill", "swarm_min", K_INT, C(swarm_min), 0, 0, 1000000 },
	{ "kill", "swarm_window", K_MS, C(swarm_window_ms), 0, 0, 0 },
	{ "hooks", "pre_kill", K_STRING, C(pre_kill), STR(pre_kill), 0, 0 },
	{ "hooks", "post_kill", K_STRING, C(post_kill), STR(post_kill), 0, 0 },
	{ "hooks", "timeout", K_MS, C(hook_timeout_ms), 0, 0, 0 },
	{ "log", "report_interval", K_MS, C(report_interval_ms), 0, 0, 0 },
	{ "log", "kmsg", K_BOOL, C(kmsg), 0, 0, 0 },
	{ "log", "syslog", K_BOOL, C(syslog), 0, 0, 0 },
	{ "log", "json_file", K_STRING, C(json_file), STR(json_file), 0, 0 },
	{ "log", "notify_dbus", K_BOOL, C(notify_dbus), 0, 0, 0 },
	{ "log", "kernel_oom", K_BOOL, C(kernel_oom), 0, 0, 0 },
	{ "log", "debug", K_BOOL, C(debug), 0, 0, 0 },
	{ "daemon", "interval_min", K_MS, C(interval_min_ms), 0, 0, 0 },
	{ "daemon", "interval_max", K_MS, C(interval_max_ms), 0, 0, 0 },
	{ "daemon", "mlockall", K_BOOL, C(mlockall), 0, 0, 0 },
	{ "daemon", "oom_score_adj", K_INT, C(oom_score_adj), 0, -1000, 1000 },
	{ "daemon", "nice", K_INT, C(nice), 0, -20, 19 },
	{ "daemon", "sched_fifo", K_INT, C(sched_fifo), 0, 0, 99 },
	{ "daemon", "proc_root", K_STRING, C(proc_root), STR(proc_root), 0, 0 },
	{ "daemon", "scanner", K_SCANNER, C(scanner), 0, 0, 0 },
	{ "publish", "metrics_file", K_STRING, C(metrics_file), STR(metrics_file), 0, 0 },
	{ "publish", "metrics_listen", K_STRING, C(metrics_listen), STR(metrics_listen), 0, 0 },
	{ "publish", "status_dir", K_STRING, C(status_dir), STR(status_dir), 0, 0 },
	{ "publish", "notify_desktop", K_BOOL, C(notify_desktop), 0, 0, 0 },
	{ "systemd", "managed_oom", K_BOOL, C(managed_oom), 0, 0, 0 },
	{ "systemd", "kill_unit", K_MOOM_UNIT, C(managed_kill_unit), 0, 0, 0 },
	{ "systemd", "whole_cgroup", K_REGEX, C(whole_cgroup), STR(whole_cgroup), 0, 0 },
	{ "systemd", "oomd_conf", K_STRING, C(oomd_conf), STR(oomd_conf), 0, 0 },
	{ "systemd", "bus_name", K_BOOL, C(bus_name), 0, 0, 0 },
	{ "systemd", "run_root", K_STRING, C(run_root), STR(run_root), 0, 0 },
};

static const char *const expected[] = {
	[K_BOOL] = "a boolean (yes/no, true/false, on/off, 1/0)",
	[K_PERCENT] = "a percentage 0..100 (e.g. 10 or 10%)",
	[K_SIZE] = "a size in KiB or with a unit (e.g. 524288, 512M, 2G)",
	[K_MS] = "a duration (e.g. 500ms, 2s, 1min; a bare number is seconds)",
	[K_STRING] = "a value",
	[K_REGEX] = "an extended regular expression",
	[K_INT] = "an integer",
	[K_PSI_TRIGGER] = "'some|full STALL WINDOW' (e.g. 'full 40% 2s', 'some 150ms 1s', "
			  "'some 150000 1000000'; window 500ms..10s) or 'off'",
	[K_PSI_SUSTAINED] = "'some|full avg10 PERCENT DURATION' (e.g. 'full avg10 50% 20s') or 'off'",
	[K_SIGNAL] = "SIGTERM or SIGKILL",
	[K_SCANNER] = "auto, bpf or procfs",
	[K_UNIT] = "process, pgroup or cgroup (a fork bomb's process group or swarm is taken as a "
		   "whole without asking)",
	[K_MOOM_UNIT] = "auto, cgroup or process",
	[K_CGROUP_PATH] = "an absolute memory cgroup directory or a path below the memory "
			  "controller's root",
};

void config_defaults(struct oomkit_config *c)
{
	*c = (struct oomkit_config){
		/* earlyoom's defaults: SIGTERM at 10 %, SIGKILL at 5 % */
		.memory_enabled = true,
		.mem_term = { .percent = 10 },
		.mem_kill = { .percent = 5 },
		.swap_term = { .percent = 10 },
		.swap_kill = { .percent = 5 },
		/* sustained thrash: a twentieth of the time every task stalls on
		 * memory, for 5 s (systemd-oomd's 50% for 20 s let a page-cache
		 * thrash at 13-20% crawl on forever, tests/e2e/vm.sh thrash, and
		 * so did 15%; on a busy host the same thrash in the qemu guest
		 * stalls 7.6%, and 10% for 10 s let it crawl on too: avg10 is
		 * already a 10 s average); it kills only while MemAvailable is
		 * short (psi_mem_below_percent) */
		.psi_sustained = { .enabled = true, .kind = PSI_FULL, .avg10_percent = 5,
				   .duration_ms = 5000 },
		/* thrashing: 40 % of 2 s fully stalled */
		.psi = { .enabled = true, .kind = PSI_FULL, .stall_us = 800000, .window_us = 2000000 },
		.psi_signal = SIGTERM,
		.psi_mem_below_percent = 50,
		.grace_ms = 2000,
		.cooldown_ms = 10000,   /* one avg10 window: long enough for PSI to forget */
		.exit_timeout_ms = 10000,
		/* a fork bomb doubles every few ms: 64 processes forked by their
		 * own namesakes in 10 s is no desktop's or build's normal start
		 * (compilers are forked by make/gcc; doc/daemon.md) */
		.swarm_min = 64,
		.swarm_window_ms = 10000,
		.hook_timeout_ms = 5000,
		.interval_min_ms = 10,
		.interval_max_ms = 5000,
		.mlockall = true,
		.oom_score_adj = -1000,
		.nice = -20,
		.notify_desktop = true,
		.kernel_oom = true,
	};
	strcpy(c->proc_root, "/proc");
	strcpy(c->oomd_conf, "/etc/systemd/oomd.conf");
	c->bus_name = true;
	strcpy(c->status_dir, "/run/oomkit");
}

static void cgroup_watch_defaults(struct cgroup_watch_spec *w)
{
	*w = (struct cgroup_watch_spec){
		.term = { .percent = 10 },
		.kill = { .percent = 5 },
		.brake = true,
	};
}

int config_begin_cgroup(struct oomkit_config *c, struct config_error *err)
{
	if (c->nr_cgroups == CONFIG_MAX_CGROUPS) {
		snprintf(err->msg, sizeof(err->msg), "too many [cgroup] sections: at most %d expected",
			 CONFIG_MAX_CGROUPS);
		return -EINVAL;
	}
	cgroup_watch_defaults(&c->cgroups[c->nr_cgroups++]);
	return 0;
}

static const struct key *key_find(const char *section, const char *name, bool *section_known)
{
	*section_known = false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcasecmp(keys[i].section, section))
			continue;
		*section_known = true;
		if (!strcasecmp(keys[i].name, name))
			return &keys[i];
	}
	return NULL;
}

static void list_keys(const char *section, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && len < size; i++)
		if (!strcasecmp(keys[i].section, section))
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? ", " : "",
						keys[i].name);
}

static int set_signal(const char *v, int *sig)
{
	if (!strcasecmp(v, "SIGTERM") || !strcasecmp(v, "TERM") || !strcmp(v, "15"))
		*sig = SIGTERM;
	else if (!strcasecmp(v, "SIGKILL") || !strcasecmp(v, "KILL") || !strcmp(v, "9"))
		*sig = SIGKILL;
	else
		return -EINVAL;
	return 0;
}

static const char *const scanner_names[] = { "auto", "bpf", "procfs" };

/* The index of v among n names (an enum's values, in order). */
static int set_name(const char *v, const char *const *names, size_t n, int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int set_scanner(const char *v, enum scanner_choice *out)
{
	int i, r = set_name(v, scanner_names, sizeof(scanner_names) / sizeof(scanner_names[0]), &i);

	if (r == 0)
		*out = (enum scanner_choice)i;
	return r;
}

static const char *const moom_unit_names[] = { "auto", "cgroup", "process" };

static int set_moom_unit(const char *v, enum moom_unit_choice *out)
{
	int i, r = set_name(v, moom_unit_names, sizeof(moom_unit_names) / sizeof(moom_unit_names[0]), &i);

	if (r == 0)
		*out = (enum moom_unit_choice)i;
	return r;
}

static int set_string(char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return -EINVAL;
	strcpy(dst, v);
	return 0;
}

static int set_regex(char *dst, size_t size, const char *v, char *why, size_t why_size)
{
	regex_t re;
	int r = regcomp(&re, v, REG_EXTENDED | REG_NOSUB);

	if (r) {
		regerror(r, &re, why, why_size);
		return -EINVAL;
	}
	regfree(&re);
	return set_string(dst, size, v);
}

static int set_int(const struct key *k, const char *v, int *dst)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < k->min || n > k->max)
		return -EINVAL;
	*dst = (int)n;
	return 0;
}

static int set_value(const struct key *k, char *base, const char *v, char *why, size_t why_size)
{
	void *p = base + k->offset;

	switch (k->type) {
	case K_BOOL:
		return config_parse_bool(v, p);
	case K_PERCENT:
		return config_parse_percent(v, p);
	case K_SIZE:
		return config_parse_size_kb(v, p);
	case K_MS:
		return config_parse_ms(v, p);
	case K_STRING:
	case K_CGROUP_PATH:
		return set_string(p, k->size, v);
	case K_REGEX:
		return set_regex(p, k->size, v, why, why_size);
	case K_INT:
		return set_int(k, v, p);
	case K_PSI_TRIGGER:
		return config_parse_psi_trigger(v, p);
	case K_PSI_SUSTAINED:
		return config_parse_psi_sustained(v, p);
	case K_SIGNAL:
		return set_signal(v, p);
	case K_SCANNER:
		return set_scanner(v, p);
	case K_MOOM_UNIT:
		return set_moom_unit(v, p);
	case K_UNIT: { /* one of kill_group and kill_pgroup, or neither */
		struct oomkit_config *c = (struct oomkit_config *)base;

		if (strcmp(v, "process") && strcmp(v, "cgroup") && strcmp(v, "pgroup"))
			return -EINVAL;
		c->kill_group = !strcmp(v, "cgroup");
		c->kill_pgroup = !strcmp(v, "pgroup");
		return 0;
	}
	}
	return -EINVAL;
}

int config_set(struct oomkit_config *c, const char *section, const char *key, const char *value,
	       struct config_error *err)
{
	bool section_known;
	const struct key *k = key_find(section, key, &section_known);
	char why[128] = "", names[512];
	char *base = (char *)c;

	if (!k) {
		if (!section_known) {
			snprintf(err->msg, sizeof(err->msg),
				 "unknown section [%s]: expected memory, psi, cgroup, kill, hooks, log, daemon, publish or systemd",
				 section);
			return -EINVAL;
		}
		list_keys(section, names, sizeof(names));
		snprintf(err->msg, sizeof(err->msg), "unknown key '%s' in [%s]: expected one of %s",
			 key, section, names);
		return -EINVAL;
	}
	if (!strcasecmp(section, "cgroup")) {
		if (c->nr_cgroups == 0 && config_begin_cgroup(c, err))
			return -EINVAL;
		base = (char *)&c->cgroups[c->nr_cgroups - 1];
	}
	if (set_value(k, base, value, why, sizeof(why))) {
		snprintf(err->msg, sizeof(err->msg), "%s: '%s' is not %s%s%s", k->name, value,
			 expected[k->type], why[0] ? ": " : "", why);
		return -EINVAL;
	}
	return 0;
}

static int validate_floors(const char *what, const struct floor *term, const struct floor *kill,
			   struct config_error *err)
{
	bool term_off = term->percent == 0 && term->size_kb == 0; /* straight to SIGKILL */

	if (!term_off && (kill->percent > term->percent || (term->size_kb && kill->size_kb > term->size_kb))) {
		snprintf(err->msg, sizeof(err->msg),
			 "%s: the SIGKILL floor must not be above the SIGTERM floor", what);
		return -EINVAL;
	}
	return 0;
}

int config_validate(const struct oomkit_config *c, struct config_error *err)
{
	err->line = 0;
	if (validate_floors("[memory] available_*", &c->mem_term, &c->mem_kill, err) ||
	    validate_floors("[memory] swap_free_*", &c->swap_term, &c->swap_kill, err) ||
	    validate_floors("[memory] commit_*", &c->commit_term, &c->commit_kill, err))
		return -EINVAL;
	for (size_t i = 0; i < c->nr_cgroups; i++) {
		if (!c->cgroups[i].path[0]) {
			snprintf(err->msg, sizeof(err->msg), "[cgroup] #%zu: expected a path = key", i + 1);
			return -EINVAL;
		}
		if (validate_floors("[cgroup] headroom_*", &c->cgroups[i].term, &c->cgroups[i].kill, err))
			return -EINVAL;
		/* the kernel's killer off and oomkit's too: the cgroup would hang */
		if (c->observe && c->cgroups[i].oom_kill_disable) {
			snprintf(err->msg, sizeof(err->msg),
				 "[cgroup] %s: oom_kill_disable needs a daemon that kills: not with [kill] observe",
				 c->cgroups[i].path);
			return -EINVAL;
		}
	}
	if (c->kill_group && c->kill_pgroup) {
		snprintf(err->msg, sizeof(err->msg), "[kill] kill_group and kill_pgroup: one kill unit at a time");
		return -EINVAL;
	}
	if (c->interval_min_ms == 0 || c->interval_min_ms > c->interval_max_ms) {
		snprintf(err->msg, sizeof(err->msg),
			 "[daemon] interval_min must be > 0 and <= interval_max");
		return -EINVAL;
	}
	return 0;
}

static const char *kind_name(enum psi_kind k)
{
	return k == PSI_FULL ? "full" : "some";
}

static void print_value(const struct key *k, const char *base, FILE *f)
{
	const void *p = base + k->offset;

	switch (k->type) {
	case K_BOOL:
		fprintf(f, "%s", *(const bool *)p ? "yes" : "no");
		break;
	case K_PERCENT:
		fprintf(f, "%g%%", *(const double *)p);
		break;
	case K_SIZE:
		fprintf(f, "%luK", *(const unsigned long *)p);
		break;
	case K_MS:
		fprintf(f, "%lums", *(const unsigned long *)p);
		break;
	case K_STRING:
	case K_REGEX:
	case K_CGROUP_PATH:
		fprintf(f, "%s", (const char *)p);
		break;
	case K_INT:
		fprintf(f, "%d", *(const int *)p);
		break;
	case K_PSI_TRIGGER: {
		const struct psi_trigger_spec *t = p;
		if (t->enabled)
			fprintf(f, "%s %lu %lu", kind_name(t->kind), t->stall_us, t->window_us);
		else
			fprintf(f, "off");
		break;
	}
	case K_PSI_SUSTAINED: {
		const struct psi_sustained_spec *r = p;
		if (r->enabled)
			fprintf(f, "%s avg10 %g%% %lums", kind_name(r->kind), r->avg10_percent,
				r->duration_ms);
		else
			fprintf(f, "off");
		break;
	}
	case K_SIGNAL:
		fprintf(f, "%s", *(const int *)p == SIGKILL ? "SIGKILL" : "SIGTERM");
		break;
	case K_SCANNER:
		fprintf(f, "%s", scanner_names[*(const enum scanner_choice *)p]);
		break;
	case K_MOOM_UNIT:
		fprintf(f, "%s", moom_unit_names[*(const enum moom_unit_choice *)p]);
		break;
	case K_UNIT: { /* the key sets two fields: find the second beside the first */
		const struct oomkit_config *c =
			(const struct oomkit_config *)((const char *)p - offsetof(struct oomkit_config, kill_group));

		fprintf(f, "%s", c->kill_group ? "cgroup" : c->kill_pgroup ? "pgroup" : "process");
		break;
	}
	}
}

static void print_section(const char *section, const char *base, FILE *f)
{
	fprintf(f, "\n[%s]\n", section);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].section, section))
			continue;
		fprintf(f, "%s = ", keys[i].name);
		print_value(&keys[i], base, f);
		fputc('\n', f);
	}
}

void config_print(const struct oomkit_config *c, FILE *f)
{
	static const char *const sections[] = { "memory", "psi", "kill", "hooks", "log", "daemon", "publish",
						"systemd" };

	fprintf(f, "# oomkit effective configuration\n");
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		print_section(sections[i], (const char *)c, f);
	for (size_t i = 0; i < c->nr_cgroups; i++)
		print_section("cgroup", (const char *)&c->cgroups[i], f);
}
