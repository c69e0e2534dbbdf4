/* test_k8s.c - Kubernetes / container cgroup path decoding: every kubelet
 * driver and QoS class, each runtime's naming, nesting (kind), the paths
 * printed by real kernel reports, and paths that must NOT decode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdbool.h>
#include <cmocka.h>

#include "core/json.h"
#include "core/k8s.h"

#define UID "0f3b7e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
#define UID_ "0f3b7e8a_1c2d_4e5f_8a9b_0c1d2e3f4a5b"
#define STATIC_UID "6e8ea7a8f5d2cee3c3ff7e6ed2d80437"
#define CID "3b1c9e2f0a4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f"

struct expect {
	const char *path;
	int rc;
	enum k8s_qos qos;
	const char *pod_uid;
	const char *container_id;
	enum k8s_runtime runtime;
	enum k8s_driver driver;
	bool conmon;
};

static const struct expect cases[] = {
	/* systemd driver, cgroup v1 and v2 alike */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	  1, K8S_QOS_BURSTABLE, UID, CID, K8S_RUNTIME_CONTAINERD, K8S_DRIVER_SYSTEMD, false },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/crio-" CID ".scope",
	  1, K8S_QOS_BESTEFFORT, UID, CID, K8S_RUNTIME_CRIO, K8S_DRIVER_SYSTEMD, false },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" CID ".scope",
	  1, K8S_QOS_GUARANTEED, UID, CID, K8S_RUNTIME_DOCKER, K8S_DRIVER_SYSTEMD, false },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-conmon-" CID ".scope",
	  1, K8S_QOS_BURSTABLE, UID, CID, K8S_RUNTIME_CRIO, K8S_DRIVER_SYSTEMD, true },
	/* crun on cgroup v2 nests the payload one level deeper */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-" CID ".scope/container",
	  1, K8S_QOS_BURSTABLE, UID, CID, K8S_RUNTIME_CRIO, K8S_DRIVER_SYSTEMD, false },
	/* memcg OOM at the pod's limit: oom_memcg= names the pod slice */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice",
	  1, K8S_QOS_BURSTABLE, UID, "", K8S_RUNTIME_NONE, K8S_DRIVER_SYSTEMD, false },
	{ "/kubepods.slice/kubepods-besteffort.slice",
	  1, K8S_QOS_BESTEFFORT, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_SYSTEMD, false },
	{ "/kubepods.slice", 1, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_SYSTEMD, false },
	/* static pod (UID is an MD5, no dashes) */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" STATIC_UID ".slice/cri-containerd-" CID ".scope",
	  1, K8S_QOS_BURSTABLE, STATIC_UID, CID, K8S_RUNTIME_CONTAINERD, K8S_DRIVER_SYSTEMD, false },
	/* kind: kubelet --cgroup-root=/kubelet under the systemd driver */
	{ "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	  1, K8S_QOS_BESTEFFORT, UID, CID, K8S_RUNTIME_CONTAINERD, K8S_DRIVER_SYSTEMD, false },
	/* cgroupfs driver */
	{ "/kubepods/burstable/pod" UID "/" CID,
	  1, K8S_QOS_BURSTABLE, UID, CID, K8S_RUNTIME_NONE, K8S_DRIVER_CGROUPFS, false },
	{ "/kubepods/besteffort/pod" UID "/" CID,
	  1, K8S_QOS_BESTEFFORT, UID, CID, K8S_RUNTIME_NONE, K8S_DRIVER_CGROUPFS, false },
	{ "/kubepods/pod" UID "/" CID,
	  1, K8S_QOS_GUARANTEED, UID, CID, K8S_RUNTIME_NONE, K8S_DRIVER_CGROUPFS, false },
	{ "/kubepods/burstable/pod" UID "/crio-" CID,
	  1, K8S_QOS_BURSTABLE, UID, CID, K8S_RUNTIME_CRIO, K8S_DRIVER_CGROUPFS, false },
	{ "/kubepods/pod" UID, 1, K8S_QOS_GUARANTEED, UID, "", K8S_RUNTIME_NONE, K8S_DRIVER_CGROUPFS, false },
	{ "/kubepods/burstable", 1, K8S_QOS_BURSTABLE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_CGROUPFS, false },
	{ "/kubepods", 1, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_CGROUPFS, false },
	/* kind / docker-in-docker seen from the host: the inner tree wins */
	{ "/docker/aaaaaaaaaaaabbbbbbbbbbbbccccccccccccddddddddddddeeeeeeeeeeee0000/kubepods/besteffort/pod" UID "/" CID,
	  1, K8S_QOS_BESTEFFORT, UID, CID, K8S_RUNTIME_NONE, K8S_DRIVER_CGROUPFS, false },
	{ "/system.slice/docker-aaaaaaaaaaaabbbbbbbbbbbbccccccccccccddddddddddddeeeeeeeeeeee0000.scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	  1, K8S_QOS_GUARANTEED, UID, CID, K8S_RUNTIME_CONTAINERD, K8S_DRIVER_SYSTEMD, false },
	/* containerd in systemd cgroup mode under a cgroupfs kubelet */
	{ "/system.slice/containerd.service/kubepods-burstable-pod" UID_ ".slice:cri-containerd:" CID,
	  1, K8S_QOS_BURSTABLE, UID, CID, K8S_RUNTIME_CONTAINERD, K8S_DRIVER_SYSTEMD, false },
	/* containers outside Kubernetes */
	{ "/system.slice/docker-" CID ".scope", 1, K8S_QOS_NONE, "", CID, K8S_RUNTIME_DOCKER, K8S_DRIVER_SYSTEMD, false },
	{ "/docker/" CID, 1, K8S_QOS_NONE, "", CID, K8S_RUNTIME_DOCKER, K8S_DRIVER_CGROUPFS, false },
	{ "/machine.slice/libpod-" CID ".scope", 1, K8S_QOS_NONE, "", CID, K8S_RUNTIME_PODMAN, K8S_DRIVER_SYSTEMD, false },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" CID ".scope/container",
	  1, K8S_QOS_NONE, "", CID, K8S_RUNTIME_PODMAN, K8S_DRIVER_SYSTEMD, false },
	/* not pods, not containers */
	{ "/", 0, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_NONE, false },
	{ "", 0, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_NONE, false },
	{ "/user.slice/user-1000.slice/session-1.scope", 0, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_NONE, false },
	{ "/system.slice/docker.service", 0, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_NONE, false },
	{ "/system.slice/containerd.service", 0, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_NONE, false },
	{ "/test1", 0, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_NONE, false },
	{ "/docker", 0, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_NONE, false },
	{ "/" CID, 0, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_NONE, false },
	{ "/system.slice/docker-notanid.scope", 0, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_NONE, false },
	{ "/mykubepods.slice", 0, K8S_QOS_NONE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_NONE, false },
};

/* Malformed pods inside a real kubepods tree: the tree is reported, the
 * bogus pod is not; a runtime-prefixed scope is unambiguous and still counts,
 * a bare hex directory only below a valid pod. */
static const struct expect malformed[] = {
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podXYZ.slice/cri-containerd-" CID ".scope",
	  1, K8S_QOS_BURSTABLE, "", CID, K8S_RUNTIME_CONTAINERD, K8S_DRIVER_SYSTEMD, false },
	{ "/kubepods/burstable/pod" UID "x/" CID, 1, K8S_QOS_BURSTABLE, "", "", K8S_RUNTIME_NONE, K8S_DRIVER_CGROUPFS, false },
	{ "/kubepods/burstable/pod" UID "/" CID "0", 1, K8S_QOS_BURSTABLE, UID, "", K8S_RUNTIME_NONE, K8S_DRIVER_CGROUPFS, false },
	{ "/kubepods/burstable/pod" UID "/ABCDEF0123456789", 1, K8S_QOS_BURSTABLE, UID, "", K8S_RUNTIME_NONE, K8S_DRIVER_CGROUPFS, false },
};

static void check_one(const struct expect *e)
{
	struct k8s_pod p;
	int rc = k8s_decode(e->path, &p);

	print_message("  %s\n", e->path);
	assert_int_equal(rc, e->rc);
	assert_int_equal(p.qos, e->qos);
	assert_string_equal(p.pod_uid, e->pod_uid);
	assert_string_equal(p.container_id, e->container_id);
	assert_int_equal(p.runtime, e->runtime);
	assert_int_equal(p.driver, e->driver);
	assert_int_equal(p.conmon, e->conmon);
	assert_int_equal(p.kubepods, e->rc == 1 && strstr(e->path, "kubepods") != NULL);
}

static void test_shapes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_one(&cases[i]);
}

static void test_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		check_one(&malformed[i]);
}

static void test_null(void **state)
{
	struct k8s_pod p;

	(void)state;
	assert_int_equal(k8s_decode(NULL, &p), -EINVAL);
	assert_int_equal(k8s_decode("/kubepods", NULL), -EINVAL);
}

/* Paths copied from the oom-kill: summary lines of kernel reports. */
static void test_report_lines(void **state)
{
	static const char *line =
		"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-" CID ".scope,"
		"mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice,"
		"task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" CID ".scope,"
		"task=python3,pid=4404,uid=0";
	char path[512];
	const char *s = strstr(line, "task_memcg=") + strlen("task_memcg=");
	size_t n = (size_t)(strchr(s, ',') - s);
	struct k8s_pod p;

	(void)state;
	memcpy(path, s, n);
	path[n] = '\0';
	assert_int_equal(k8s_decode(path, &p), 1);
	assert_int_equal(p.qos, K8S_QOS_BURSTABLE);
	assert_string_equal(p.pod_uid, UID);
	assert_string_equal(p.container_id, CID);
}

/* Real reports: the running kernel killed a hog in cgroups named as the
 * kubelet names them (tests/fixtures/k8s/make-k8s-oom.sh); decode the
 * task_memcg= it printed. */
static void decode_fixture(const char *file, enum k8s_qos qos, enum k8s_runtime rt, enum k8s_driver drv)
{
	char line[2048], path[1024];
	FILE *f = fopen(file, "r");
	struct k8s_pod p;
	bool seen = false;

	if (!f)
		fail_msg("%s: cannot open (run from the repository's top directory)", file);
	while (fgets(line, sizeof(line), f)) {
		const char *s = strstr(line, ",task_memcg=");
		size_t n;

		if (!s)
			continue;
		s += strlen(",task_memcg=");
		n = strcspn(s, ",");
		assert_true(n < sizeof(path));
		memcpy(path, s, n);
		path[n] = '\0';
		assert_int_equal(k8s_decode(path, &p), 1);
		assert_int_equal(p.qos, qos);
		assert_string_equal(p.pod_uid, UID);
		assert_string_equal(p.container_id, CID);
		assert_int_equal(p.runtime, rt);
		assert_int_equal(p.driver, drv);
		seen = true;
	}
	fclose(f);
	assert_true(seen);
}

static void test_real_reports(void **state)
{
	(void)state;
	decode_fixture("tests/fixtures/k8s/memcg-oom-cgroupfs-6.18.log", K8S_QOS_BURSTABLE, K8S_RUNTIME_NONE,
		       K8S_DRIVER_CGROUPFS);
	decode_fixture("tests/fixtures/k8s/memcg-oom-systemd-6.18.log", K8S_QOS_BESTEFFORT,
		       K8S_RUNTIME_CONTAINERD, K8S_DRIVER_SYSTEMD);
}

static void test_json(void **state)
{
	char buf[1024];
	FILE *f;
	struct json j;
	struct k8s_pod p, none;

	(void)state;
	assert_int_equal(k8s_decode("/kubepods/besteffort/pod" UID "/crio-" CID, &p), 1);
	assert_int_equal(k8s_decode("/user.slice", &none), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	json_init(&j, f);
	json_begin_array(&j);
	k8s_json(&j, &p);
	k8s_json(&j, &none);
	k8s_json(&j, NULL);
	json_end_array(&j);
	fclose(f);
	assert_string_equal(buf,
		"[{\"qos\":\"BestEffort\",\"pod_uid\":\"" UID "\",\"container_id\":\"" CID "\","
		"\"runtime\":\"cri-o\",\"cgroup_driver\":\"cgroupfs\",\"conmon\":false},null,null]\n");
}

static void test_format(void **state)
{
	char out[160], tiny[10];
	struct k8s_pod p;

	(void)state;
	k8s_decode("/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" CID ".scope", &p);
	assert_string_equal(k8s_format(&p, out, sizeof(out)),
			    "pod " UID " (Guaranteed) container 3b1c9e2f0a4d containerd");
	assert_string_equal(k8s_format(&p, tiny, sizeof(tiny)), "pod 0f3b7");
	k8s_decode("/kubepods/burstable", &p);
	assert_string_equal(k8s_format(&p, out, sizeof(out)), "kubepods (Burstable)");
	k8s_decode("/system.slice/docker-" CID ".scope", &p);
	assert_string_equal(k8s_format(&p, out, sizeof(out)), "container 3b1c9e2f0a4d docker");
	k8s_decode("/", &p);
	assert_string_equal(k8s_format(&p, out, sizeof(out)), "");
}

static void test_short(void **state)
{
	char out[64];
	struct k8s_pod p;

	(void)state;
	k8s_decode("/kubepods/burstable/pod" UID "/" CID, &p);
	assert_string_equal(k8s_short(&p, out, sizeof(out)), "pod 0f3b7e8a Burstable");
	k8s_decode("/system.slice/docker-" CID ".scope", &p);
	assert_string_equal(k8s_short(&p, out, sizeof(out)), "ctr 3b1c9e2f0a4d");
	k8s_decode("/kubepods.slice", &p);
	assert_string_equal(k8s_short(&p, out, sizeof(out)), "kubepods");
	k8s_decode("/user.slice", &p);
	assert_string_equal(k8s_short(&p, out, sizeof(out)), "");
	assert_string_equal(k8s_short(NULL, out, sizeof(out)), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_report_lines),
		cmocka_unit_test(test_real_reports),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
