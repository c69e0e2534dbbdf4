/* oom_control.c - names of the oom_control enums, as the kernel prints
 * them, and of the kill's outcome, reasons and units. */
#include "oom_control.h"

#include <errno.h>
#include <string.h>

#include "util.h"

const char *oom_constraint_name(enum oom_constraint c)
{
	switch (c) {
	case CONSTRAINT_NONE:
		return "CONSTRAINT_NONE";
	case CONSTRAINT_CPUSET:
		return "CONSTRAINT_CPUSET";
	case CONSTRAINT_MEMORY_POLICY:
		return "CONSTRAINT_MEMORY_POLICY";
	case CONSTRAINT_MEMCG:
		return "CONSTRAINT_MEMCG";
	}
	return "CONSTRAINT_UNKNOWN";
}

const char *kill_outcome_name(enum kill_outcome o)
{
	static const char *const names[] = { "killed", "dry_run", "victim_gone", "pid_reused", "too_young",
					     "refused", "signal_failed", "timeout" };

	return names[o];
}

const char *kill_why_name(enum kill_why w)
{
	static const char *const names[] = { "victim", "shares_mm", "pgroup", "cgroup", "swarm" };

	return names[w];
}

static const char *const unit_names[] = { "process", "pgroup", "cgroup", "swarm" };

const char *kill_unit_name(enum kill_unit u)
{
	return unit_names[u];
}

int kill_unit_parse(const char *s, enum kill_unit *u)
{
	for (size_t i = 0; i < ARRAY_SIZE(unit_names); i++) {
		if (!strcmp(s, unit_names[i])) {
			*u = (enum kill_unit)i;
			return 0;
		}
	}
	return -EINVAL;
}
