/* policy.h - the rules of the policy layer that select_bad_process()
 * (select.h) applies on top of the kernel's choice: which tasks
 * a user prefers, avoids, ignores or protects, and what to make of a
 * process that raised its own oom_score_adj. It never touches the kernel's
 * formula (badness.c): rules only decide which tasks take part in a
 * selection round, in tiers; see doc/kill.md "Policy".
 *
 *   prefer   chosen before every non-preferred task (highest points first)
 *   avoid    chosen only when no other task is killable
 *   ignore   never chosen as the victim (may still die with its group)
 *   protect  never chosen, and never killed as a sharer or group member
 *
 * A rule matches one field of a task: comm, cmdline, exe, cgroup (memory
 * cgroup path) with a POSIX extended regex (unanchored, as earlyoom), or
 * uid with a number or user name (exact). The API is pure, so that the
 * daemon can feed rules from its configuration file. */
#ifndef OOMKIT_POLICY_H
#define OOMKIT_POLICY_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oom_control.h"
#include "proc.h"

#define POLICY_MAX_RULES 64
#define POLICY_ERR_MAX 256

enum policy_kind { POLICY_PREFER, POLICY_AVOID, POLICY_IGNORE, POLICY_PROTECT };
enum policy_field { POLICY_FIELD_COMM, POLICY_FIELD_CMDLINE, POLICY_FIELD_EXE,
		    POLICY_FIELD_CGROUP, POLICY_FIELD_UID };

/* What to do with a task that raised its own oom_score_adj (see
 * policy_self_raised_adj()): honour it like the kernel, or rank the task as
 * if its oom_score_adj were 0. */
enum self_raised_adj { SELF_RAISED_HONOR, SELF_RAISED_IGNORE };

/* Selection tiers, tried in this order. */
enum policy_tier { POLICY_TIER_PREFER, POLICY_TIER_NORMAL, POLICY_TIER_AVOID, POLICY_TIER_NONE };

struct policy_rule {
	enum policy_kind kind;
	enum policy_field field;
	regex_t re;      /* all fields but uid */
	uid_t uid;       /* POLICY_FIELD_UID */
};

struct policy {
	struct policy_rule rules[POLICY_MAX_RULES];
	size_t nr;
	enum self_raised_adj self_raised;
	pid_t self_pid;  /* oomkit itself: never a candidate */
	/* scratch for SELF_RAISED_IGNORE: the real oom_score_adj of every
	 * snapshot task while a selection runs (grown outside the kill path) */
	struct policy_saved_adj {
		int adj;
		bool neutralised;
	} *saved;
	size_t saved_cap;
};

void policy_init(struct policy *p, pid_t self_pid);
void policy_free(struct policy *p);

/* Adds one rule. pattern is a regex (uid: a number or user name). On
 * error returns -EINVAL (bad pattern), -ENOSPC (too many rules) or
 * -ENOENT (unknown user) and writes what was wrong to err. */
int policy_add_rule(struct policy *p, enum policy_kind kind, enum policy_field field,
		    const char *pattern, char *err, size_t err_size);

/* Adds a rule written "FIELD:PATTERN" (or a bare PATTERN, meaning comm),
 * as on the command line and in the daemon's configuration. */
int policy_add_spec(struct policy *p, enum policy_kind kind, const char *spec,
		    char *err, size_t err_size);

/* Name parsers for configuration keys; -EINVAL on unknown names. */
int policy_field_parse(const char *s, enum policy_field *field);
int policy_self_raised_parse(const char *s, enum self_raised_adj *mode);
const char *policy_kind_name(enum policy_kind kind);
const char *policy_tier_name(enum policy_tier tier);

/* PROC_DETAIL_* bits a snapshot needs for these rules. */
unsigned int policy_proc_details(const struct policy *p);

/* Does any rule of this kind match t? */
bool policy_matches(const struct policy *p, enum policy_kind kind, const struct task_info *t);

/* The tier t competes in; POLICY_TIER_NONE when ignored, protected or
 * oomkit itself. */
enum policy_tier policy_tier_of(const struct policy *p, const struct task_info *t);

/* May t be killed as a sharer or group member of the victim? false for
 * protected tasks (the safety rules of kill.c apply on top). */
bool policy_may_kill_member(const struct policy *p, const struct task_info *t);

/* Did t raise its own oom_score_adj? Detectable facts only: adj > 0, a
 * non-root uid, and a parent (found in snap, not pid 1) whose adj is lower.
 * A fork inherits the parent's adj, so a higher one was written after the
 * fork, by the task or its own application; an adj set by the service
 * manager (parent pid 1) or by root is the administrator's and is honoured. */
bool policy_self_raised_adj(const struct task_info *t, const struct proc_snapshot *snap);

#endif
