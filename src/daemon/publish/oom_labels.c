/* oom_labels.c - see oom_labels.h. */
#include "oom_labels.h"

#include <stdio.h>
#include <string.h>

static const char *const names[OOM_NR_CONSTRAINTS] = { "global", "memcg", "cpuset", "sysrq" };

const char *oom_label_constraint_name(enum oom_label_constraint c)
{
	return (unsigned)c < OOM_NR_CONSTRAINTS ? names[c] : NULL;
}

enum oom_label_constraint oom_label_constraint_of(const char *name)
{
	for (int i = 0; i < OOM_NR_CONSTRAINTS; i++)
		if (name && !strcmp(name, names[i]))
			return (enum oom_label_constraint)i;
	return OOM_GLOBAL;
}

/* The series' key: pod and container for a Kubernetes path (the path
 * itself names the container, whose ID changes on every restart: the pod
 * and container IDs are what an operator joins on), else the path. */
static void key_of(enum oom_label_constraint c, const char *cgroup, struct oom_label_series *k)
{
	struct k8s_pod pod;

	memset(k, 0, sizeof(*k));
	k->constraint = c;
	if (cgroup && k8s_decode(cgroup, &pod) == 1 && (pod.pod_uid[0] || pod.container_id[0])) {
		memcpy(k->pod_uid, pod.pod_uid, sizeof(k->pod_uid));
		memcpy(k->container_id, pod.container_id, sizeof(k->container_id));
	} else {
		snprintf(k->cgroup, sizeof(k->cgroup), "%s", cgroup && cgroup[0] ? cgroup : "/");
	}
}

int oom_labels_count(struct oom_labels *t, enum oom_label_constraint c, const char *cgroup)
{
	struct oom_label_series k;

	if ((unsigned)c >= OOM_NR_CONSTRAINTS)
		c = OOM_GLOBAL;
	key_of(c, cgroup, &k);
	for (size_t i = 0; i < t->nr; i++) {
		struct oom_label_series *s = &t->series[i];

		if (s->constraint == c && !strcmp(s->cgroup, k.cgroup) && !strcmp(s->pod_uid, k.pod_uid) &&
		    !strcmp(s->container_id, k.container_id)) {
			s->count++;
			return (int)i;
		}
	}
	if (t->nr == OOM_LABELS_MAX) {
		t->overflow[c]++;
		return -1;
	}
	k.count = 1;
	t->series[t->nr] = k;
	return (int)t->nr++;
}
