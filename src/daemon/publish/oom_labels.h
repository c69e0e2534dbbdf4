/* oom_labels.h - the label table of oomkit_kernel_oom_kills_total: one
 * counter per (constraint, memory cgroup), where the cgroup is the pod UID
 * and container ID for a Kubernetes path, else the cgroup path. Bounded:
 * the first OOM_LABELS_MAX distinct cgroups get a series each and keep it
 * (counters never move); later ones are counted in one overflow series per
 * constraint (cgroup="_overflow"). Fixed size, no allocation. */
#ifndef OOMKIT_OOM_LABELS_H
#define OOMKIT_OOM_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "core/k8s.h"

#define OOM_LABELS_MAX 64
#define OOM_LABELS_PATH_MAX 256 /* longer paths are cut (and then share a series) */
#define OOM_LABELS_OVERFLOW "_overflow"

enum oom_label_constraint { OOM_GLOBAL, OOM_MEMCG, OOM_CPUSET, OOM_SYSRQ, OOM_NR_CONSTRAINTS };

struct oom_label_series {
	enum oom_label_constraint constraint;
	char cgroup[OOM_LABELS_PATH_MAX];        /* "" for a Kubernetes path */
	char pod_uid[K8S_POD_UID_MAX];
	char container_id[K8S_CONTAINER_ID_MAX];
	uint64_t count;
};

struct oom_labels {
	struct oom_label_series series[OOM_LABELS_MAX];
	size_t nr;
	uint64_t overflow[OOM_NR_CONSTRAINTS];
};

/* "global", "memcg", "cpuset", "sysrq"; NULL out of range. */
const char *oom_label_constraint_name(enum oom_label_constraint c);
/* The constraint of that name; OOM_GLOBAL for an unknown one. */
enum oom_label_constraint oom_label_constraint_of(const char *name);

/* Counts one kill of constraint c in cgroup (decoded as Kubernetes pod and
 * container when it is one). Returns the series' index, or -1 when it went
 * to the overflow series. */
int oom_labels_count(struct oom_labels *t, enum oom_label_constraint c, const char *cgroup);

#endif
