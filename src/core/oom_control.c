/* oom_control.c - names of the oom_control enums, as the kernel prints them. */
#include "oom_control.h"

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
