/* managed_oom.h - the cgroups that systemd hands to its OOM daemon
 * (ManagedOOMSwap=kill, ManagedOOMMemoryPressure=kill with its limit and
 * duration), as PID 1 and the user managers send them over varlink, and
 * what oomkit makes of them. Pure: messages and oomd.conf come in as text;
 * the sockets are managed_oom_link.c, the daemon's use daemon_managed.c.
 *
 * A message's "cgroups" array says, per cgroup and property, "kill" (add
 * or update) or "auto" (drop: the unit stopped or the setting went). The
 * table has a fixed size, so that nothing grows after start-up. */
#ifndef OOMKIT_MANAGED_OOM_H
#define OOMKIT_MANAGED_OOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "core/oom_control.h"

#define MOOM_MAX_CGROUPS 48
#define MOOM_PATH_MAX 512

struct moom_cgroup {
	char path[MOOM_PATH_MAX];  /* below the cgroup2 root; "/" is -.slice */
	bool swap;                 /* ManagedOOMSwap=kill */
	bool pressure;             /* ManagedOOMMemoryPressure=kill */
	uint32_t limit;            /* ManagedOOMMemoryPressureLimit= in 1/UINT32_MAX; 0: the default */
	uint64_t duration_usec;    /* ManagedOOMMemoryPressureDurationSec= (newer systemd); 0: the default */
	uid_t owner;               /* 0: PID 1, else the user manager that reported it */
};

struct moom_table {
	struct moom_cgroup cg[MOOM_MAX_CGROUPS];
	size_t nr;
	uint64_t changes;          /* bumped on every change */
	unsigned long dropped;     /* kill entries refused for want of room */
};

/* systemd-oomd's compiled-in defaults, or oomd.conf's [OOM] section. */
struct moom_defaults {
	double swap_used_limit_percent;      /* SwapUsedLimit= (90%) */
	double pressure_limit_percent;       /* DefaultMemoryPressureLimit= (60%) */
	unsigned long pressure_duration_ms;  /* DefaultMemoryPressureDurationSec= (30s) */
};

/* What a message was. */
enum moom_msg {
	MOOM_MSG_CGROUPS,   /* PID 1's reply or a user manager's report: applied */
	MOOM_MSG_ERROR,     /* a varlink error reply: err holds its name */
	MOOM_MSG_UNKNOWN,   /* a call of another method */
};

/* Applies one varlink message (without its NUL) from sender (its uid: 0
 * for PID 1). A user manager may only speak of cgroups below its own
 * user@UID.service; a message that names another is refused whole
 * (-EPERM), as systemd-oomd does. *reply is set when the sender waits for
 * an answer (a call without "oneway"). Returns the kind, or -EINVAL with
 * err saying what was wrong. */
int moom_message_apply(struct moom_table *t, const char *msg, size_t len, uid_t sender, bool *reply,
		       char *err, size_t err_size);

void moom_defaults_init(struct moom_defaults *d);
/* Reads [OOM] SwapUsedLimit=, DefaultMemoryPressureLimit=,
 * DefaultMemoryPressureDurationSec= of one oomd.conf text; later files
 * override earlier ones key by key, as systemd reads them. Unknown keys
 * and bad values are skipped (systemd-oomd warns and keeps the default). */
void moom_defaults_parse(struct moom_defaults *d, const char *text);

/* The pressure rule of a cgroup: its limit in percent and its duration. */
double moom_limit_percent(const struct moom_cgroup *c, const struct moom_defaults *d);
unsigned long moom_duration_ms(const struct moom_cgroup *c, const struct moom_defaults *d);

/* The kill unit of a managed cgroup's victim ([systemd] kill_unit). auto:
 * in a user's session scope or below user@UID.service, the process the
 * selection picks, unless its cgroup is one application
 * (memory.oom.group=1, or [systemd] whole_cgroup matched); elsewhere the
 * whole cgroup, as systemd-oomd. */
bool moom_user_cgroup(const char *victim_cgroup);
enum kill_unit moom_kill_unit(enum moom_unit_choice choice, const char *victim_cgroup, bool one_application);

#endif
