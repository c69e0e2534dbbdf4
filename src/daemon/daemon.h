/* daemon.h - the state of `oomkit daemon`: configuration in force, open
 * watches, the current kill episode, and the counters and last kills that
 * metrics, D-Bus and the status socket read (struct daemon_stats plus one
 * observer call per kill: the hook points daemon_publish.c uses).
 *
 * The loop is: sample -> evaluate triggers -> advance the episode -> poll
 * (signalfd, PSI triggers, memcg eventfds/events, the victim's pidfd, hook
 * pidfds, extra fds) with a timeout from the adaptive interval.
 * After start-up nothing here allocates. */
#ifndef OOMKIT_DAEMON_H
#define OOMKIT_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/cgroup.h"
#include "core/kill_record.h"
#include "core/knobs.h"
#include "core/mem.h"
#include "config.h"
#include "daemon_managed.h"
#include "daemon_select.h"
#include "daemon_watch.h"
#include "hook.h"
#include "trigger.h"

#define DAEMON_LAST_KILLS 8
#define DAEMON_MAX_EXTRA_FDS 4
#define DAEMON_MAX_OVERRIDES 64
/* the configured cgroups, then systemd's managed ones (daemon_managed.h) */
#define DAEMON_MAX_CG (CONFIG_MAX_CGROUPS + MOOM_MAX_CGROUPS)

/* Everything an outside observer may read; plain counters, no pointers. */
struct daemon_stats {
	uint64_t samples;
	uint64_t psi_events, memcg_events;
	uint64_t triggers_term, triggers_kill;  /* episodes started per stage */
	uint64_t kills, sigterms, escalations, kill_failures, dry_run_kills;
	uint64_t kernel_oom_kills;              /* seen in watched cgroups' counters */
	uint64_t hooks_run, hooks_failed;
	uint64_t reloads, reload_failures;
	enum stage stage;                       /* strongest stage at the last sample */
	char trigger[192];                      /* its text */
	struct mem_sample mem;
	uint64_t nr_kill_records;               /* total; the last ones are in last_kills */
	struct kill_record last_kills[DAEMON_LAST_KILLS];
};

struct daemon;
typedef void (*daemon_kill_observer)(struct daemon *d, const struct kill_record *rec, void *arg);
typedef void (*daemon_fd_handler)(struct daemon *d, int fd, short revents, void *arg);
/* Called after every pass; returns the latest time (CLOCK_MONOTONIC ns) by
 * which it wants to be called again: the loop sleeps no longer. */
typedef uint64_t (*daemon_pass_hook)(struct daemon *d, uint64_t now, void *arg);
/* After a reload that was applied; d->cfg is the new configuration. */
typedef void (*daemon_reload_hook)(struct daemon *d, void *arg);

enum episode_state { EP_IDLE, EP_PRE_HOOK, EP_TERM_SENT, EP_KILL_SENT, EP_RECOVER, EP_DRY_HELD };

/* One kill (or would-be kill in dry-run) as the daemon stages it. The
 * victim, the invoker, the scope and the trigger are the selector's
 * oom_control (d->sel.oc); the kill's account is oc.kill. Here is what
 * the stages add. */
struct episode {
	enum episode_state state;
	int scope;                     /* -1 system, else index into daemon.cg */
	uint64_t t_signal_ns, deadline_ns;
	bool no_victim_logged;
	struct meminfo mi;             /* at selection: the report's Mem-Info */
	uint64_t realtime_ns;          /* CLOCK_REALTIME when the first signal went */
	uint64_t select_ns;            /* time the selection took: the metrics' histogram */
	int signal;                    /* the last signal sent */
	bool dry_run, escalated, exited, reaped;
	uint64_t ms_to_exit;
	unsigned long avail_before_kb, avail_after_kb; /* MemAvailable or cgroup headroom */
};

struct daemon_override {
	const char *section, *key, *value;
};

struct daemon {
	struct oomkit_config cfg;
	/* what to read again on SIGHUP */
	const char *config_path;
	bool config_path_explicit;
	struct daemon_override overrides[DAEMON_MAX_OVERRIDES];
	size_t nr_overrides;

	struct sys_watch sys;
	struct memcg_watch cg[DAEMON_MAX_CG];
	size_t nr_cg;
	struct psi_sustained_state sustained;
	uint64_t psi_avg_ns;           /* when the averages were last read (sustained_avg10) */
	double psi_avg10;
	bool psi_avg_ok;
	struct episode ep;
	struct hook_run pre_hook, post_hook;
	struct daemon_selector sel;
	struct memcg_roots roots;      /* for the report's memcg block */
	struct oom_knobs knobs;        /* the kernel's OOM knobs, read at start and reload */
	FILE *json;
	int sigfd;
	uint64_t psi_muted_until_ns, next_report_ns, next_watchdog_ns, watchdog_usec;
	uint64_t no_bomb_until_ns;     /* a fork-bomb search found none: not again before, */
	unsigned long no_bomb_below_threads; /* unless the thread growth reached this */
	uint64_t next_warm_ns;         /* the next warm-up scan (see daemon_step.c) */
	uint64_t next_fall_warm_ns;    /* the next one while memory falls fast */
	uint64_t fell_fast_ns;         /* the last sample of a fast fall */
	unsigned long warm_avail_kb;   /* MemAvailable + SwapFree at the last warm-up (0: none near the floor) */

	uint64_t act_ns;               /* how long a selection takes lately: a kill's latency */
	uint64_t term_exit_ns;         /* how long SIGTERMed victims took to exit lately (0: none yet) */
	bool psi_fired;                /* a PSI trigger woke us since the last step */
	int psi_fired_scope;
	bool quit;
	bool reload_pending;           /* SIGHUP during a kill: reload when it ends */
	bool reload_deferred_logged;

	struct daemon_managed moom;    /* systemd's managed cgroups */

	struct daemon_stats stats;
	daemon_kill_observer observer;
	void *observer_arg;
	daemon_pass_hook pass_hook;
	void *pass_hook_arg;
	daemon_reload_hook reload_hook;
	void *reload_hook_arg;
	struct { int fd; short events; daemon_fd_handler fn; void *arg; } extra[DAEMON_MAX_EXTRA_FDS];
	size_t nr_extra;
};

/* Loads the configuration (file, drop-ins, then d->overrides) into cfg.
 * Prints nothing; err says what is wrong. */
int daemon_load_config(const struct daemon *d, struct oomkit_config *cfg, struct config_error *err);

/* Opens the watches and compiles the policy for d->cfg. why gets the
 * reason of a failure. */
int daemon_start(struct daemon *d, char *why, size_t size);
/* One pass: sample, evaluate, advance the episode. */
void daemon_step(struct daemon *d, uint64_t now);
/* How long the loop may sleep after a pass (adaptive interval, deadlines). */
unsigned long daemon_timeout_ms(const struct daemon *d, uint64_t now);
/* Blocks SIGHUP/SIGTERM/SIGINT/SIGCHLD: call first, so that a signal
 * during start-up waits for the loop instead of killing the daemon. */
int daemon_block_signals(void);
/* The loop until SIGTERM/SIGINT; returns an exit code. */
int daemon_run(struct daemon *d);
/* A reload may move or free the selector's snapshot, which the episode's
 * oom_control points into until the victim is gone: a SIGHUP received
 * during a kill (pre_kill hook, SIGTERM or SIGKILL sent) is carried out
 * when the kill is over. Called by the loop before each step. */
void daemon_reload_when_idle(struct daemon *d);
/* SIGHUP: load a new configuration; a bad one keeps the old running. */
void daemon_reload(struct daemon *d);
void daemon_stop(struct daemon *d);
/* Reads the kernel's OOM knobs into d->knobs and logs those that change
 * the daemon's job (daemon_knobs.c); daemon_start() calls it. */
void daemon_knobs_load(struct daemon *d);
/* vm.overcommit_memory=2 (as last read): the commit floor may act. */
bool daemon_commit_enforced(const struct daemon *d);

/* Hook points for metrics, D-Bus and the status socket. */
void daemon_set_observer(struct daemon *d, daemon_kill_observer fn, void *arg);
void daemon_set_pass_hook(struct daemon *d, daemon_pass_hook fn, void *arg);
int daemon_add_fd(struct daemon *d, int fd, short events, daemon_fd_handler fn, void *arg);
/* Runs after each reload that was applied (never during a kill: the
 * reload waits for it to end), e.g. to publish to the new places. */
void daemon_set_reload_hook(struct daemon *d, daemon_reload_hook fn, void *arg);

/* WATCHDOG=1 to systemd now (when the unit has WatchdogSec=): before a
 * kill episode, whose one step may take seconds (a fork bomb of 1,600
 * copies took 5.3 s in the Debian guest under TCG), so that it has the
 * whole watchdog period, not what was left of it. */
void daemon_watchdog_ping(struct daemon *d, uint64_t now);

#endif
