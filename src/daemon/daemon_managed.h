/* daemon_managed.h - the daemon's side of systemd's managed cgroups
 * (managed_oom.h): the varlink link in the poll loop, each managed cgroup
 * opened as a watch beside the configured ones (between kills, never
 * during one), its rules evaluated with the others:
 *  - ManagedOOMMemoryPressure=kill: the cgroup's "full" avg10 above its
 *    limit for its duration (systemd-oomd's rule and defaults, oomd.conf);
 *  - ManagedOOMSwap=kill: swap and memory both used beyond SwapUsedLimit=;
 * the victim chosen inside the cgroup the kernel's way, killed alone or
 * with its cgroup ([systemd] kill_unit); user.oomd_avoid / user.oomd_omit
 * (ManagedOOMPreference=) as the policy's avoid and protect tiers. */
#ifndef OOMKIT_DAEMON_MANAGED_H
#define OOMKIT_DAEMON_MANAGED_H

#include <poll.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "managed_oom.h"
#include "managed_oom_link.h"
#include "trigger.h"

struct daemon;
struct hit;
struct status_view;

struct managed_watch {
	char path[MOOM_PATH_MAX];
	bool swap, pressure;
	double limit_percent;
	unsigned long duration_ms;
	int cg;                        /* index into daemon.cg; -1: the root, or not found */
	int pressure_fd;               /* its memory.pressure, -1 (the root: the machine's) */
	double avg10;                  /* full avg10 at the last evaluation */
	struct psi_sustained_state st;
};

#define MANAGED_SPEC_MAX 2048

struct daemon_managed {
	bool open;
	struct moom_table table;
	struct moom_link link;
	struct moom_defaults defaults;
	uint64_t applied;              /* table.changes when the watches were opened */
	bool dirty;                    /* open them again at the next quiet moment */
	struct managed_watch w[MOOM_MAX_CGROUPS];
	size_t nr_w;
	regex_t whole;
	bool whole_ready;
	/* policy rules from the xattrs, "cgroup:^(...)(/|$)" or "" */
	char avoid_spec[MANAGED_SPEC_MAX], protect_spec[MANAGED_SPEC_MAX];
	uint64_t next_scan_ns;
};

/* Start (and reload): oomd.conf's defaults, the link when [systemd]
 * managed_oom is on (kept over reloads), the watches. */
void daemon_managed_start(struct daemon *d);
void daemon_managed_stop(struct daemon *d);
/* From the poll loop. */
size_t daemon_managed_pollfds(const struct daemon *d, struct pollfd *fds, size_t max);
void daemon_managed_event(struct daemon *d, int fd, short revents);
/* Between kills: reconnects, re-reads the xattrs, re-opens the watches
 * when the table changed. */
void daemon_managed_tick(struct daemon *d, uint64_t now);
/* The managed rules into h (daemon_evaluate). */
void daemon_managed_evaluate(struct daemon *d, uint64_t now, struct hit *h);
/* The kill unit of a selection made for h. */
enum kill_unit daemon_managed_kill_unit(const struct daemon *d, const struct hit *h);
/* The managed cgroups as `oomkit status` shows them. */
void daemon_managed_status(const struct daemon *d, struct status_view *v);

#endif
