/* k8s.c - see k8s.h. The path is walked one component at a time; each
 * component may open a kubepods tree, name a QoS class, a pod or a
 * container. A new kubepods tree or pod forgets what came before it, so the
 * innermost one wins (a kind node is itself a container on its host). */
#include "k8s.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

struct span {
	const char *s;
	size_t n;
};

static bool span_eq(struct span c, const char *lit)
{
	return strlen(lit) == c.n && !memcmp(c.s, lit, c.n);
}

static bool span_starts(struct span c, const char *lit)
{
	size_t n = strlen(lit);

	return c.n >= n && !memcmp(c.s, lit, n);
}

static bool span_ends(struct span c, const char *lit)
{
	size_t n = strlen(lit);

	return c.n >= n && !memcmp(c.s + c.n - n, lit, n);
}

static struct span span_drop(struct span c, size_t head, size_t tail)
{
	return (struct span){ c.s + head, c.n - head - tail };
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Container IDs are lowercase hex: 64 chars for every runtime we know;
 * 12 is the shortest abbreviation anyone prints. */
static bool copy_container_id(struct span id, struct k8s_pod *p)
{
	if (id.n < K8S_SHORT_ID_LEN || id.n >= K8S_CONTAINER_ID_MAX)
		return false;
	for (size_t i = 0; i < id.n; i++)
		if (!is_hex(id.s[i]))
			return false;
	memcpy(p->container_id, id.s, id.n);
	p->container_id[id.n] = '\0';
	return true;
}

/* Pod UIDs: an RFC 4122 UUID (API pods), or 32 hex chars (static pods, an
 * MD5 of the manifest). The systemd driver writes '_' for '-', since '-'
 * is the slice hierarchy separator in unit names; restore the dashes. */
static bool copy_pod_uid(struct span uid, struct k8s_pod *p)
{
	if (uid.n == 32) {
		for (size_t i = 0; i < 32; i++)
			if (!is_hex(uid.s[i]))
				return false;
	} else if (uid.n == 36) {
		for (size_t i = 0; i < 36; i++) {
			bool sep = i == 8 || i == 13 || i == 18 || i == 23;
			char c = uid.s[i];

			if (sep ? (c != '-' && c != '_') : !is_hex(c))
				return false;
		}
	} else {
		return false;
	}
	for (size_t i = 0; i < uid.n; i++)
		p->pod_uid[i] = uid.s[i] == '_' ? '-' : uid.s[i];
	p->pod_uid[uid.n] = '\0';
	return true;
}

static void forget_container(struct k8s_pod *p)
{
	p->container_id[0] = '\0';
	p->runtime = K8S_RUNTIME_NONE;
	p->conmon = false;
}

static const struct {
	const char *prefix; /* before "-<id>" in a scope, or the ":<name>:" of containerd */
	enum k8s_runtime runtime;
	bool conmon;
} runtimes[] = {
	{ "cri-containerd", K8S_RUNTIME_CONTAINERD, false },
	{ "crio-conmon", K8S_RUNTIME_CRIO, true },
	{ "crio", K8S_RUNTIME_CRIO, false },
	{ "docker", K8S_RUNTIME_DOCKER, false },
	{ "libpod-conmon", K8S_RUNTIME_PODMAN, true },
	{ "libpod", K8S_RUNTIME_PODMAN, false },
};

/* "<runtime>-<id>" or "<runtime>-<id>.scope" (name = the whole component),
 * or the runtime name alone (name_only, for containerd's "slice:name:id"). */
static bool decode_runtime(struct span c, struct span id_if_name_only, struct k8s_pod *p)
{
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		struct span id;
		size_t n = strlen(runtimes[i].prefix);

		if (id_if_name_only.s) {
			if (!span_eq(c, runtimes[i].prefix))
				continue;
			id = id_if_name_only;
		} else {
			if (!span_starts(c, runtimes[i].prefix) || c.n <= n || c.s[n] != '-')
				continue;
			id = span_drop(c, n + 1, span_ends(c, ".scope") ? strlen(".scope") : 0);
		}
		if (!copy_container_id(id, p))
			return false;
		p->runtime = runtimes[i].runtime;
		p->conmon = runtimes[i].conmon;
		return true;
	}
	return false;
}

/* The systemd driver's slices: [<root>-]kubepods[-<qos>][-pod<uid>].slice,
 * where <root> comes from kubelet --cgroup-root (kind: "kubelet-"). */
static bool decode_pod_slice(struct span c, struct k8s_pod *p)
{
	static const char key[] = "kubepods";
	const size_t klen = sizeof(key) - 1;
	struct k8s_pod slice = { .kubepods = true, .driver = K8S_DRIVER_SYSTEMD };
	struct span rest;
	size_t at;

	if (!span_ends(c, ".slice"))
		return false;
	c = span_drop(c, 0, strlen(".slice"));
	for (at = 0; at + klen <= c.n; at++)
		if (!memcmp(c.s + at, key, klen) && (at == 0 || c.s[at - 1] == '-'))
			break;
	if (at + klen > c.n)
		return false;
	rest = span_drop(c, at + klen, 0);
	if (span_starts(rest, "-burstable")) {
		slice.qos = K8S_QOS_BURSTABLE;
		rest = span_drop(rest, strlen("-burstable"), 0);
	} else if (span_starts(rest, "-besteffort")) {
		slice.qos = K8S_QOS_BESTEFFORT;
		rest = span_drop(rest, strlen("-besteffort"), 0);
	}
	if (rest.n) {
		if (!span_starts(rest, "-pod") || !copy_pod_uid(span_drop(rest, 4, 0), &slice))
			return false;
		if (slice.qos == K8S_QOS_NONE)
			slice.qos = K8S_QOS_GUARANTEED; /* pods of no QoS slice */
	}
	*p = slice;
	return true;
}

/* The cgroupfs driver: kubepods/[burstable|besteffort/]pod<uid>/<id>. */
static bool decode_cgroupfs(struct span c, struct k8s_pod *p)
{
	if (span_eq(c, "kubepods")) {
		*p = (struct k8s_pod){ .kubepods = true, .driver = K8S_DRIVER_CGROUPFS };
		return true;
	}
	if (!p->kubepods || p->driver != K8S_DRIVER_CGROUPFS || p->pod_uid[0])
		return false;
	if (p->qos == K8S_QOS_NONE && span_eq(c, "burstable")) {
		p->qos = K8S_QOS_BURSTABLE;
		return true;
	}
	if (p->qos == K8S_QOS_NONE && span_eq(c, "besteffort")) {
		p->qos = K8S_QOS_BESTEFFORT;
		return true;
	}
	if (!span_starts(c, "pod") || !copy_pod_uid(span_drop(c, 3, 0), p))
		return false;
	if (p->qos == K8S_QOS_NONE)
		p->qos = K8S_QOS_GUARANTEED;
	forget_container(p);
	return true;
}

/* containerd with its own systemd cgroup mode but a cgroupfs kubelet puts
 * containers at /system.slice/containerd.service/<pod slice>:cri-containerd:<id>. */
static bool decode_colon_form(struct span c, struct k8s_pod *p)
{
	const char *c1 = memchr(c.s, ':', c.n), *c2;
	struct span slice, name, id;

	if (!c1)
		return false;
	c2 = memchr(c1 + 1, ':', (size_t)(c.s + c.n - c1 - 1));
	if (!c2)
		return false;
	slice = (struct span){ c.s, (size_t)(c1 - c.s) };
	name = (struct span){ c1 + 1, (size_t)(c2 - c1 - 1) };
	id = (struct span){ c2 + 1, (size_t)(c.s + c.n - c2 - 1) };
	if (!decode_pod_slice(slice, p))
		return false;
	decode_runtime(name, id, p);
	return true;
}

/* One path component, given whether the previous one was a cgroupfs
 * "docker" directory (stand-alone Docker: /docker/<id>). */
static void decode_component(struct span c, bool after_docker_dir, struct k8s_pod *p)
{
	if (decode_colon_form(c, p) || decode_pod_slice(c, p) || decode_cgroupfs(c, p))
		return;
	if (p->container_id[0])
		return; /* deeper cgroups of a container: crio's "container", init.scope */
	if (decode_runtime(c, (struct span){ NULL, 0 }, p)) {
		if (!p->kubepods)
			p->driver = span_ends(c, ".scope") ? K8S_DRIVER_SYSTEMD : K8S_DRIVER_CGROUPFS;
		return;
	}
	/* bare IDs: containerd/dockershim under the cgroupfs driver, or Docker */
	if (p->pod_uid[0] && p->driver == K8S_DRIVER_CGROUPFS) {
		copy_container_id(c, p);
	} else if (after_docker_dir && !p->kubepods && copy_container_id(c, p)) {
		p->runtime = K8S_RUNTIME_DOCKER;
		p->driver = K8S_DRIVER_CGROUPFS;
	}
}

int k8s_decode(const char *cgroup_path, struct k8s_pod *out)
{
	const char *s;
	bool after_docker_dir = false;

	if (!cgroup_path || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	for (s = cgroup_path; *s;) {
		struct span c;

		while (*s == '/')
			s++;
		c.s = s;
		while (*s && *s != '/')
			s++;
		c.n = (size_t)(s - c.s);
		if (c.n == 0)
			break;
		decode_component(c, after_docker_dir, out);
		after_docker_dir = span_eq(c, "docker");
	}
	if (out->kubepods || out->container_id[0])
		return 1;
	memset(out, 0, sizeof(*out));
	return 0;
}

const char *k8s_qos_name(enum k8s_qos qos)
{
	switch (qos) {
	case K8S_QOS_GUARANTEED: return "Guaranteed";
	case K8S_QOS_BURSTABLE: return "Burstable";
	case K8S_QOS_BESTEFFORT: return "BestEffort";
	case K8S_QOS_NONE: break;
	}
	return NULL;
}

const char *k8s_runtime_name(enum k8s_runtime rt)
{
	switch (rt) {
	case K8S_RUNTIME_CONTAINERD: return "containerd";
	case K8S_RUNTIME_CRIO: return "cri-o";
	case K8S_RUNTIME_DOCKER: return "docker";
	case K8S_RUNTIME_PODMAN: return "podman";
	case K8S_RUNTIME_NONE: break;
	}
	return NULL;
}

const char *k8s_driver_name(enum k8s_driver d)
{
	switch (d) {
	case K8S_DRIVER_CGROUPFS: return "cgroupfs";
	case K8S_DRIVER_SYSTEMD: return "systemd";
	case K8S_DRIVER_NONE: break;
	}
	return NULL;
}

static bool decoded(const struct k8s_pod *p)
{
	return p && (p->kubepods || p->container_id[0]);
}

void k8s_json(struct json *j, const struct k8s_pod *p)
{
	if (!decoded(p)) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_kv_string(j, "qos", k8s_qos_name(p->qos));
	json_kv_string(j, "pod_uid", p->pod_uid[0] ? p->pod_uid : NULL);
	json_kv_string(j, "container_id", p->container_id[0] ? p->container_id : NULL);
	json_kv_string(j, "runtime", k8s_runtime_name(p->runtime));
	json_kv_string(j, "cgroup_driver", k8s_driver_name(p->driver));
	json_kv_bool(j, "conmon", p->conmon);
	json_end_object(j);
}

char *k8s_format(const struct k8s_pod *p, char *out, size_t size)
{
	const char *qos, *rt;
	size_t n = 0;

	if (!size)
		return out;
	out[0] = '\0';
	if (!decoded(p))
		return out;
	qos = k8s_qos_name(p->qos);
	rt = k8s_runtime_name(p->runtime);
#define K8S_PUT(...) do { \
		int w_ = snprintf(out + n, size - n, __VA_ARGS__); \
		if (w_ > 0) n = (size_t)w_ < size - n ? n + (size_t)w_ : size - 1; \
	} while (0)
	if (p->pod_uid[0])
		K8S_PUT("pod %s", p->pod_uid);
	else if (p->kubepods)
		K8S_PUT("kubepods");
	if (qos)
		K8S_PUT(" (%s)", qos);
	if (p->container_id[0])
		K8S_PUT("%s%s %.*s", n ? " " : "", p->conmon ? "conmon of container" : "container",
			K8S_SHORT_ID_LEN, p->container_id);
	if (rt)
		K8S_PUT(" %s", rt);
#undef K8S_PUT
	return out;
}

char *k8s_short(const struct k8s_pod *p, char *out, size_t size)
{
	const char *qos = p ? k8s_qos_name(p->qos) : NULL;

	if (!size)
		return out;
	out[0] = '\0';
	if (!decoded(p))
		return out;
	if (p->pod_uid[0])
		snprintf(out, size, "pod %.8s%s%s", p->pod_uid, qos ? " " : "", qos ? qos : "");
	else if (p->container_id[0])
		snprintf(out, size, "ctr %.*s", K8S_SHORT_ID_LEN, p->container_id);
	else
		snprintf(out, size, "kubepods%s%s", qos ? " " : "", qos ? qos : "");
	return out;
}

void k8s_json_memcg(struct json *j, const char *memcg)
{
	struct k8s_pod pod;

	json_kv_string(j, "memcg", memcg);
	k8s_decode(memcg, &pod);
	json_key(j, "k8s");
	k8s_json(j, &pod);
}
