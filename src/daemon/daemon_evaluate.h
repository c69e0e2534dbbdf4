/* daemon_evaluate.h - the daemon's triggers evaluated on a fresh sample
 * (daemon_evaluate.c): the strongest stage that holds, its scope and its
 * text, which the episode (daemon_step.c) acts on. */
#ifndef OOMKIT_DAEMON_EVALUATE_H
#define OOMKIT_DAEMON_EVALUATE_H

#include <stdbool.h>
#include <stdint.h>

#include "trigger.h"

struct daemon;

struct hit {
	enum stage stage;
	int scope;                     /* -1 system, else cgroup index */
	bool psi;                      /* raised by a PSI rule (not a memory level) */
	bool bomb_only;                /* only the fork-bomb look-ahead holds: no bomb, no kill */
	bool managed;                  /* a rule of systemd's managed cgroups (daemon_managed.h) */
	char text[192];
};

/* Makes h the hit of this trigger when it is stronger (at equal stage:
 * narrower); true when it took. */
bool daemon_hit_raise(struct hit *h, enum stage st, int scope, bool psi, const char *text);
/* Samples every watch (the machine, each cgroup, their OOM counters). */
void daemon_sample(struct daemon *d, uint64_t now);
/* The strongest trigger that holds now; kept in d->stats for observers. */
struct hit daemon_evaluate(struct daemon *d, uint64_t now);
/* After a selection that may have taken long: does the hit still hold on
 * a fresh sample (the kernel's last-second check before it kills)? */
bool daemon_pressure_still_holds(struct daemon *d, const struct hit *h);
/* How long a SIGTERMed victim is expected to take to exit: the daemon's
 * own victims' lately, a default before any (daemon_evaluate.c). */
uint64_t daemon_term_exit_ns(const struct daemon *d);
/* Threads grew by [daemon] swarm_min or more since the last sample. */
bool daemon_threads_surge(const struct daemon *d);
/* MemAvailable under [psi] available_below_percent: a machine-wide PSI hit
 * needs it too (stalls while memory is plentiful are not ours to end). */
bool daemon_memory_short(const struct daemon *d);

#endif
