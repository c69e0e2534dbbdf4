/* status.h - the daemon's state as `oomkit status` shows it: what it
 * watches, its thresholds, the current headroom of each trigger, counters
 * and the last kills. The daemon fills a struct status_view (plain data)
 * and its publisher thread saves it, atomically and readable by root only,
 * as <dir>/status.txt (human) and <dir>/status.json (schema in
 * doc/status.md); `oomkit status` prints one of them after checking that
 * the daemon that wrote it still runs. */
#ifndef OOMKIT_STATUS_H
#define OOMKIT_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/kill_record.h"
#include "core/knobs.h"
#include "core/mem.h"

#define STATUS_DIR_DEFAULT "/run/oomkit"
#define STATUS_MAX_TRIGGERS 48
#define STATUS_LAST_KILLS 8
#define STATUS_FILE_MODE 0640
#define STATUS_TEXT_MAX (64 * 1024)
/* Unchanged files are rewritten at least this often (seconds). */
#define STATUS_REWRITE_S 60
/* 2: times are integers ("started", "updated", "time"), "reclaim_ms". */
#define STATUS_JSON_SCHEMA 2

struct status_trigger {
	char name[32];             /* "memory", "swap", "psi", "psi-sustained", "memcg", "managed-*" */
	char where[TASK_CGROUP_MAX]; /* "system" or the cgroup directory */
	char setting[128];         /* as configured: "term 10% / kill 5%", "full 40% 2s" */
	char current[128];         /* now: "12.3% (2.9GiB available)" */
	double headroom_percent;   /* points above the kill floor; < 0 when below; NAN: n/a */
	char stage[8];             /* "none", "term", "kill" */
	uint64_t usage_bytes, limit_bytes; /* memcg triggers: exported as metrics */
};

struct status_view {
	pid_t pid;
	double started_seconds, updated_seconds; /* unix time */
	bool dry_run;
	char stage[8];
	char trigger[192];         /* what holds the stage, "" when none */
	unsigned long mem_total_kb, mem_available_kb, swap_total_kb, swap_free_kb;
	bool have_psi;
	struct psi psi;
	bool have_knobs;           /* the kernel's OOM knobs (commit figures of the last sample) */
	struct oom_knobs knobs;
	char systemd[192];         /* systemd's managed cgroups: whence, "" when off */
	size_t nr_triggers;
	uint64_t samples, kills, sigterms, escalations, kill_failures, dry_run_kills, kernel_oom_kills;
	size_t nr_last_kills;
	/* Last, and only their first nr_* entries hold anything (their tails
	 * may hold an older view's): copied, hashed and written up to there
	 * only, so that the daemon's three views (made, handed over, being
	 * written; 48 KiB each) keep the pages of their unused tails
	 * untouched, never resident (bench/RESULTS.md). */
	struct status_trigger triggers[STATUS_MAX_TRIGGERS];
	struct kill_record last_kills[STATUS_LAST_KILLS]; /* newest first */
};

/* Empties v: every field before the arrays zeroed, none of them used. */
void status_view_clear(struct status_view *v);
/* dst = src, the arrays' used entries only. */
void status_view_copy(struct status_view *dst, const struct status_view *src);

void status_write_json(const struct status_view *v, FILE *f);
void status_write_text(const struct status_view *v, FILE *f);

/* Saves both files into dir, or only touches them when they would say
 * what they say: key (v's status_view_key(), 0 when unknown) is the last
 * saved one's, less than STATUS_REWRITE_S ago. 0 or -errno. */
int status_save(const struct status_view *v, const char *dir, uint64_t key);
/* t = v with what moves at rest held still (the clock, the sample count,
 * memory within 1%, PSI within a point): two views whose timeless views
 * are equal make the same files, give or take those figures. t may be v. */
void status_view_timeless(const struct status_view *v, struct status_view *t);
/* A hash of v's timeless view, made in scratch (which may be v): equal
 * keys, the same files. */
uint64_t status_view_key(const struct status_view *v, struct status_view *scratch);
/* Sets both files' mtime to now (the freshness `oomkit status` checks)
 * without rewriting them. 0 or -errno (a file missing). */
int status_touch(const char *dir);

/* The daemon loop's own sign of life, apart from the publisher thread that
 * writes the state (which a slow D-Bus peer may hold up): <dir>/heartbeat,
 * whose mtime the loop sets at every hand-over (futimens(2): no data, no
 * rename; every 4 s at rest). -1 when it cannot be made. */
int status_heartbeat_open(const char *dir);
void status_heartbeat(int fd);

enum { STATUS_STALE = 0, STATUS_ALIVE = 1, STATUS_PUBLISHER_LATE = 2 };

/* For `oomkit status`: reads <dir>/status.<ext> ("txt" or "json") into buf
 * and says whether its writer is alive: STATUS_ALIVE; STATUS_PUBLISHER_LATE
 * when the state is older than max_age_s but the writer's pid exists and
 * its heartbeat is recent; STATUS_STALE (pid gone, or state and heartbeat
 * old); -errno when unreadable. *pid gets the writer's pid (0 when the
 * file does not say). */
int status_load(const char *dir, const char *ext, double max_age_s, char *buf, size_t size, pid_t *pid);

#endif
