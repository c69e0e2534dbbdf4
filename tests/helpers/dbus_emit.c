/* dbus_emit.c - test helper: one kill record with a hostile name in a
 * Kubernetes pod, published over D-Bus as the daemon does.
 *   dbus_emit signal            -> org.oomkit.Daemon1.Killed and Daemon2.Killed
 *                                  on the system bus (DBUS_SYSTEM_BUS_ADDRESS)
 *   dbus_emit kernel-signal     -> the same record as the kernel's own kill:
 *                                  Daemon2.Killed only, source "kernel"
 *   dbus_emit notify RUNTIME    -> Notify on RUNTIME/<uid>/bus of every user
 * Prints the result code; exit 0 on success. */
#include <stdio.h>
#include <string.h>

#include "daemon/publish/dbus_event.h"

int main(int argc, char **argv)
{
	struct kill_record r;
	char why[256];
	int e;

	memset(&r, 0, sizeof(r));
	r.time_seconds = 1700000000.25;
	r.pid = 4242;
	r.uid = 1000;
	strcpy(r.comm, "evil <b>$(x)\n");
	strcpy(r.cgroup, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f3b7e8a_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice/"
			 "cri-containerd-3b1c9e2f0a4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f.scope");
	strcpy(r.trigger, "memavailable 4.8% < 5%");
	strcpy(r.unit, "process");
	r.killed = r.reaped = true;
	r.rss_kb = 1536 * 1024;
	k8s_decode(r.cgroup, &r.k8s);
	e = dbus_load(why, sizeof(why));
	if (e < 0)
		fprintf(stderr, "dbus_emit: %s\n", why);
	else if (argc == 2 && !strcmp(argv[1], "signal"))
		e = dbus_emit_killed(&r);
	else if (argc == 2 && !strcmp(argv[1], "kernel-signal")) {
		r.kernel = true;
		strcpy(r.constraint, "memcg");
		e = dbus_emit_killed(&r);
	}
	else if (argc == 3 && !strcmp(argv[1], "notify"))
		e = dbus_notify_desktops(&r, argv[2]);
	else {
		fprintf(stderr, "usage: dbus_emit signal | dbus_emit notify RUNTIME_ROOT\n");
		return 2;
	}
	printf("%d\n", e);
	return e < 0;
}
