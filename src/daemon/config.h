/* config.h - the daemon's configuration: defaults, the INI file
 * (/etc/oomkit.conf + /etc/oomkit.conf.d/NN-name.conf in lexical order), and one
 * setter shared by the file and the command line, so that both accept the
 * same values and reject bad ones with the same words.
 * Errors name the file, the line and what was expected; the loader never
 * prints, it fills a struct config_error. All sizes are kB, times ms. */
#ifndef OOMKIT_CONFIG_H
#define OOMKIT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/oom_control.h"

#define CONFIG_DEFAULT_FILE "/etc/oomkit.conf"
#define CONFIG_MAX_CGROUPS 8
#define CONFIG_PATH_MAX 512

/* A floor in percent and/or in size; when both are set the lower amount
 * wins (earlyoom's -m/-M rule). 0 disables a part. */
struct floor {
	double percent;
	unsigned long size_kb;
};

enum psi_kind { PSI_SOME, PSI_FULL };

/* An armed kernel PSI trigger: "some|full <stall us> <window us>". */
struct psi_trigger_spec {
	bool enabled;
	enum psi_kind kind;
	unsigned long stall_us;
	unsigned long window_us;
};

/* "full avg10 > 50% for 20s": a rule on the averages, for desktops. */
struct psi_sustained_spec {
	bool enabled;
	enum psi_kind kind;
	double avg10_percent;
	unsigned long duration_ms;
};

struct cgroup_watch_spec {
	char path[CONFIG_PATH_MAX];
	struct floor term;         /* headroom (limit - usage) floors, % of the limit */
	struct floor kill;
	bool oom_kill_disable;     /* v1: make oomkit the cgroup's OOM handler */
	bool brake;                /* v2: memory.high at the SIGTERM floor when unset */
	struct psi_trigger_spec psi;
};

/* [systemd] kill_unit: the kill unit of a cgroup systemd hands to its OOM
 * daemon (managed_oom.h). */
enum moom_unit_choice { MOOM_UNIT_AUTO, MOOM_UNIT_CGROUP, MOOM_UNIT_PROCESS };

/* How the daemon scans processes (proc.h): the BPF task iterator when the
 * kernel allows it, else /proc; or one of them. */
enum scanner_choice { SCANNER_AUTO, SCANNER_BPF, SCANNER_PROCFS };

struct oomkit_config {
	/* [memory]: the system floors; both MemAvailable and SwapFree must be
	 * below their floor (earlyoom); no swap counts as SwapFree 0%. */
	struct floor mem_term, mem_kill;
	struct floor swap_term, swap_kill;
	bool memory_enabled;
	/* the commit-headroom floor (CommitLimit - Committed_AS, % of
	 * CommitLimit), for vm.overcommit_memory=2; off by default
	 * (trigger_commit.h) */
	struct floor commit_term, commit_kill;

	/* [psi] */
	struct psi_trigger_spec psi;
	struct psi_sustained_spec psi_sustained;
	int psi_signal;              /* SIGTERM or SIGKILL when a PSI rule fires */
	/* a machine-wide PSI rule kills only while MemAvailable is below this:
	 * stalls that outlive the memory shortage (a fork bomb just killed,
	 * I/O) are not a reason to kill a bystander */
	double psi_mem_below_percent;

	/* [cgroup] (repeatable section) */
	struct cgroup_watch_spec cgroups[CONFIG_MAX_CGROUPS];
	size_t nr_cgroups;

	/* [kill] */
	unsigned long grace_ms;      /* SIGTERM -> SIGKILL */
	unsigned long cooldown_ms;   /* PSI rules muted after a kill */
	unsigned long exit_timeout_ms; /* give up waiting for a SIGKILLed victim */
	char prefer[256], avoid[256], ignore[256], protect[256]; /* policy specs [FIELD:]REGEX */
	bool ignore_root_user;
	bool dry_run;
	bool kill_group;             /* kill the victim's whole memory cgroup */
	bool observe;                /* watch and publish, never signal (--observe) */
	bool kill_pgroup;            /* kill the victim's process group (earlyoom's -g) */
	int swarm_min;               /* fork bomb: this many young namesakes (0: off) */
	unsigned long swarm_window_ms; /* ... started within this long */

	/* [hooks] */
	char pre_kill[CONFIG_PATH_MAX];
	char post_kill[CONFIG_PATH_MAX];
	unsigned long hook_timeout_ms;

	/* [log] */
	unsigned long report_interval_ms; /* 0: off */
	bool kmsg;
	bool syslog;           /* log to /dev/log instead of stderr */
	char json_file[CONFIG_PATH_MAX];
	bool notify_dbus;
	bool kernel_oom;       /* watch the kernel's own OOM kills in /dev/kmsg */

	/* [publish] (read by daemon_publish.c) */
	char metrics_file[CONFIG_PATH_MAX]; /* "" off */
	char metrics_listen[64];            /* "" off; loopback ADDRESS:PORT */
	char status_dir[CONFIG_PATH_MAX];   /* "" off */
	bool notify_desktop;                /* with notify_dbus: Notify on users' session buses */
	bool debug;

	/* [systemd]: the cgroups systemd hands to its OOM daemon (ManagedOOM*=
	 * of units, over varlink), and systemd-oomd's name on the bus */
	bool managed_oom;
	enum moom_unit_choice managed_kill_unit;
	char whole_cgroup[256];      /* regex: cgroups that are one application */
	char oomd_conf[CONFIG_PATH_MAX]; /* its defaults; its .d directories too */
	bool bus_name;               /* org.freedesktop.oom1 and its Killed signal, when free */
	char run_root[CONFIG_PATH_MAX]; /* where /run/systemd is ("" /); tests point it at a fixture */

	/* [daemon] */
	unsigned long interval_min_ms, interval_max_ms;
	bool mlockall;
	int oom_score_adj;
	int nice;
	int sched_fifo;              /* 0: off, else the SCHED_FIFO priority */
	enum scanner_choice scanner;
	char proc_root[CONFIG_PATH_MAX]; /* tests point it at a fixture tree */
};

struct config_error {
	char file[CONFIG_PATH_MAX];
	int line;                    /* 0 when not tied to a line */
	char msg[1024];
};

void config_defaults(struct oomkit_config *c);

/* Applies one key of one section ("memory", "available_term_percent", "5").
 * 0, or -EINVAL with err->msg filled ("expected ..."). A section of
 * "cgroup" applies to the last [cgroup] opened with config_begin_cgroup. */
int config_set(struct oomkit_config *c, const char *section, const char *key, const char *value,
	       struct config_error *err);
int config_begin_cgroup(struct oomkit_config *c, struct config_error *err);

/* Parses one INI file into c. -ENOENT when it does not exist (not an error
 * for the default path), -EINVAL with err filled. */
int config_load_file(struct oomkit_config *c, const char *path, struct config_error *err);

/* The default set: path (CONFIG_DEFAULT_FILE unless given) then every
 * <path>.d/NN-name.conf in lexical order. A missing default file is fine; a
 * missing explicit file is an error. */
int config_load(struct oomkit_config *c, const char *path, bool explicit_path,
		struct config_error *err);

/* Cross-field checks (kill floors below term floors ...). */
int config_validate(const struct oomkit_config *c, struct config_error *err);

/* What the configuration names exists on this machine: watched cgroups,
 * executable hooks, a loopback /metrics address (--check-config). */
int config_check_system(const struct oomkit_config *c, struct config_error *err);

/* The effective configuration, as a config file that would produce it. */
void config_print(const struct oomkit_config *c, FILE *f);

/* Value parsers shared with the command line. */
int config_parse_size_kb(const char *s, unsigned long *kb);
int config_parse_ms(const char *s, unsigned long *ms);
int config_parse_percent(const char *s, double *pct);
int config_parse_bool(const char *s, bool *b);
int config_parse_psi_trigger(const char *s, struct psi_trigger_spec *t);
int config_parse_psi_sustained(const char *s, struct psi_sustained_spec *r);

/* The SIGKILL step's kill unit: kill_group, kill_pgroup or the victim
 * (and what shares its mm) alone. */
static inline enum kill_unit config_kill_unit(const struct oomkit_config *c)
{
	return c->kill_group ? KILL_UNIT_CGROUP : c->kill_pgroup ? KILL_UNIT_PGROUP : KILL_UNIT_PROCESS;
}

#endif
