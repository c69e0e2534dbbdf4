/* k8s.h - decodes the memory-cgroup path of a process or of an OOM'd memcg
 * into what a Kubernetes operator looks for: the pod's QoS class, the pod
 * UID, the container ID and the container runtime. Knows the kubelet's
 * cgroupfs and systemd drivers (cgroup v1 and v2 name pods the same way),
 * containerd, CRI-O, Docker (also stand-alone) and Podman. Pure: no I/O, no
 * allocation; safe on the kill path. doc/kubernetes.md lists every shape. */
#ifndef OOMKIT_K8S_H
#define OOMKIT_K8S_H

#include <stdbool.h>
#include <stddef.h>

struct json;

enum k8s_qos {
	K8S_QOS_NONE = 0,    /* not (or not yet known to be) inside a QoS class */
	K8S_QOS_GUARANTEED,
	K8S_QOS_BURSTABLE,
	K8S_QOS_BESTEFFORT,
};

enum k8s_runtime {
	K8S_RUNTIME_NONE = 0, /* no container, or its runtime cannot be told */
	K8S_RUNTIME_CONTAINERD,
	K8S_RUNTIME_CRIO,
	K8S_RUNTIME_DOCKER,
	K8S_RUNTIME_PODMAN,
};

enum k8s_driver {
	K8S_DRIVER_NONE = 0,
	K8S_DRIVER_CGROUPFS, /* /kubepods/burstable/pod<uid>/<id> */
	K8S_DRIVER_SYSTEMD,  /* /kubepods.slice/kubepods-burstable.slice/... .scope */
};

#define K8S_POD_UID_MAX 37       /* 36 chars (8-4-4-4-12) + NUL */
#define K8S_CONTAINER_ID_MAX 65  /* 64 hex + NUL */
#define K8S_SHORT_ID_LEN 12      /* how human output abbreviates IDs */

struct k8s_pod {
	bool kubepods;           /* the path is under the kubelet's kubepods cgroup */
	enum k8s_qos qos;
	enum k8s_driver driver;
	enum k8s_runtime runtime;
	bool conmon;             /* a runtime monitor's scope (crio-conmon-, libpod-conmon-) */
	char pod_uid[K8S_POD_UID_MAX];           /* dashes restored; "" when none */
	char container_id[K8S_CONTAINER_ID_MAX]; /* "" when none */
};

/* Decodes cgroup_path (as in /proc/PID/cgroup after "N:memory:" or "0::",
 * or as a kernel report prints task_memcg=/oom_memcg=). Returns 1 when the
 * path names a Kubernetes pod cgroup or a container (out filled, unknown
 * fields zero/empty), 0 when it names neither (out zeroed), -EINVAL on
 * NULL. The innermost kubepods tree wins (kind/docker-in-docker nesting). */
int k8s_decode(const char *cgroup_path, struct k8s_pod *out);

/* Kubernetes' own spellings: "Guaranteed", "Burstable", "BestEffort"; NULL for NONE. */
const char *k8s_qos_name(enum k8s_qos qos);
/* "containerd", "cri-o", "docker", "podman"; NULL for NONE. */
const char *k8s_runtime_name(enum k8s_runtime rt);
/* "cgroupfs", "systemd"; NULL for NONE. */
const char *k8s_driver_name(enum k8s_driver d);

/* Writes the JSON value (caller writes the key, "k8s" by convention):
 * null when p is NULL or decoded nothing, else an object
 * {"qos","pod_uid","container_id","runtime","cgroup_driver","conmon"}
 * with null for unknown members. doc/kubernetes.md documents the schema. */
void k8s_json(struct json *j, const struct k8s_pod *p);

/* The pair every task object carries: "memcg": path and "k8s": the pod
 * or container decoded from it (k8s_json). */
void k8s_json_memcg(struct json *j, const char *memcg);

/* One-line human form, e.g. "pod 1f2e...-... (Burstable) container
 * 3b1c9e2f0a4d containerd"; "" when nothing was decoded. Always
 * NUL-terminates; returns out. */
char *k8s_format(const struct k8s_pod *p, char *out, size_t size);

/* A compact form for table columns: "pod 0f3b7e8a Burstable" (UID cut
 * to 8), "ctr 3b1c9e2f0a4d" for a container outside a pod, "kubepods" for
 * the tree itself; "" when nothing was decoded. Returns out. */
char *k8s_short(const struct k8s_pod *p, char *out, size_t size);

#endif
