/* dbus_event.c - see dbus_event.h. */
#include "dbus_event.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/json.h"
#include "core/textbuf.h"
#include "core/units.h"
#include "core/util.h"

#if HAVE_SDBUS
#include <dlfcn.h>
#include <systemd/sd-bus.h>
#endif

/* Every D-Bus exchange (connect, authenticate, send) is bounded by this,
 * not by sd-bus's own authentication timeout (25 to 90 s): a local user
 * can bind a socket that accepts and never answers. */
#define DBUS_TIMEOUT_USEC (1000000ULL)
/* All the desktops of one kill together. */
#define DBUS_DESKTOPS_BUDGET_USEC (3 * 1000000ULL)

/* Notification bodies may be rendered as markup: neutralise it. */
static void put_markup_escaped(struct textbuf *t, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			textbuf_printf(t, "&amp;");
		else if (*s == '<')
			textbuf_printf(t, "&lt;");
		else if (*s == '>')
			textbuf_printf(t, "&gt;");
		else
			textbuf_append(t, s, 1);
	}
}

void dbus_notification_text(const struct kill_record *r, char *summary, size_t summary_size,
			    char *body, size_t body_size)
{
	char comm[TASK_COMM_MAX * 4 + 1], size[32], pod[256];
	struct textbuf t;

	text_escape(r->comm, comm, sizeof(comm));
	snprintf(summary, summary_size, "%s %s (pid %d)",
		 r->kernel ? "The kernel killed" : r->dry_run ? "oomkit would kill" : "oomkit killed", comm, (int)r->pid);
	format_kb(r->rss_kb + r->swap_kb, size, sizeof(size));
	textbuf_init(&t, body, body_size);
	textbuf_printf(&t, "It used %s of memory. %s: ", size, r->kernel ? "Out of memory" : "Trigger");
	put_markup_escaped(&t, r->trigger[0] ? r->trigger : "manual");
	textbuf_printf(&t, ".");
	k8s_format(&r->k8s, pod, sizeof(pod));
	if (pod[0]) {
		textbuf_printf(&t, " ");
		put_markup_escaped(&t, pod);
		textbuf_printf(&t, ".");
	}
}

const char *dbus_oom1_reason(const struct kill_record *r)
{
	return !strncmp(r->trigger, "psi", 3) || strstr(r->trigger, "Pressure") ? "memory-pressure" : "memory-used";
}

#if HAVE_SDBUS

/* libsystemd (and what it pulls in: libgcrypt, libzstd, liblzma, liblz4,
 * libcap) is 0.8 MiB of the daemon's resident memory, and D-Bus is off by
 * default: it is loaded at start-up when notify_dbus asks for it, never on
 * the kill path (bench/RESULTS.md, idle memory). */
#define SDBUS_FUNCS(X) \
	X(sd_bus_close_unref) X(sd_bus_emit_signal) X(sd_bus_get_events) X(sd_bus_is_ready) \
	X(sd_bus_message_append) X(sd_bus_message_new_method_call) X(sd_bus_message_set_expect_reply) \
	X(sd_bus_message_unref) X(sd_bus_new) X(sd_bus_open_system) X(sd_bus_process) X(sd_bus_send) \
	X(sd_bus_request_name) \
	X(sd_bus_set_address) X(sd_bus_set_bus_client) X(sd_bus_set_method_call_timeout) X(sd_bus_start) \
	X(sd_bus_wait)
static struct {
	bool loaded;
#define SDBUS_FIELD(f) __typeof__(f) *f;
	SDBUS_FUNCS(SDBUS_FIELD)
#undef SDBUS_FIELD
} sdb;

int dbus_load(char *why, size_t size)
{
	void *h;

	if (sdb.loaded)
		return 0;
	h = dlopen(DBUS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, size, "cannot load %s: %s", DBUS_LIBRARY, dlerror());
		return -ENOENT;
	}
#define SDBUS_SYM(f)                                                              \
	if (!(sdb.f = (__typeof__(f) *)dlsym(h, #f))) {                           \
		snprintf(why, size, "%s has no %s", DBUS_LIBRARY, #f);            \
		dlclose(h);                                                       \
		return -ENOENT;                                                   \
	}
	SDBUS_FUNCS(SDBUS_SYM)
#undef SDBUS_SYM
	sdb.loaded = true;
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* sd_bus_flush() with a deadline: drives the connection (authentication,
 * Hello, the queued message) until nothing is left to write, or fails with
 * -ETIMEDOUT when the peer does not answer in time. */
static int flush_within(sd_bus *bus, uint64_t timeout_usec)
{
	uint64_t deadline = now_usec() + timeout_usec;

	for (;;) {
		uint64_t now;
		int r = sdb.sd_bus_process(bus, NULL);

		if (r < 0)
			return r;
		if (r == 0 && sdb.sd_bus_is_ready(bus) > 0 && !(sdb.sd_bus_get_events(bus) & POLLOUT))
			return 0;
		now = now_usec();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (r == 0 && (r = sdb.sd_bus_wait(bus, deadline - now)) < 0)
			return r;
	}
}

int dbus_emit_killed(const struct kill_record *r)
{
	char comm[TASK_COMM_MAX * 4 + 1], cgroup[TASK_CGROUP_MAX * 4 + 1], trigger[sizeof(r->trigger) * 4 + 1];
	uint64_t usec = (uint64_t)(r->time_seconds * 1e6), bytes = kill_record_victim_bytes(r);
	sd_bus *bus = NULL;
	int e;

	text_escape(r->comm, comm, sizeof(comm));
	text_escape(r->cgroup, cgroup, sizeof(cgroup));
	text_escape(r->trigger, trigger, sizeof(trigger));
	if (!sdb.loaded)
		return -EOPNOTSUPP;
	e = sdb.sd_bus_open_system(&bus);
	if (e < 0)
		return e;
	sdb.sd_bus_set_method_call_timeout(bus, DBUS_TIMEOUT_USEC);
	/* Daemon1's listeners were promised oomkit's kills in that signature */
	if (!r->kernel)
		e = sdb.sd_bus_emit_signal(bus, DBUS_EVENT_PATH, DBUS_EVENT_INTERFACE, DBUS_EVENT_SIGNAL,
				       DBUS_EVENT_SIGNATURE, usec, (uint32_t)r->pid, (uint32_t)r->uid, comm,
				       cgroup, trigger, r->unit, bytes, (int)r->reaped, r->k8s.pod_uid,
				       r->k8s.container_id);
	if (e >= 0)
		e = sdb.sd_bus_emit_signal(bus, DBUS_EVENT_PATH, DBUS_EVENT_INTERFACE2, DBUS_EVENT_SIGNAL,
				       DBUS_EVENT_SIGNATURE2, usec, (uint32_t)r->pid, (uint32_t)r->uid, comm,
				       cgroup, trigger, r->unit, bytes, (int)r->reaped, r->k8s.pod_uid,
				       r->k8s.container_id, r->kernel ? "kernel" : "oomkit");
	if (e >= 0)
		e = flush_within(bus, DBUS_TIMEOUT_USEC);
	sdb.sd_bus_close_unref(bus); /* (sd_bus_flush_close_unref() would wait unbounded) */
	return e < 0 ? e : 0;
}

static sd_bus *oom1_bus; /* the publisher thread's own */

int dbus_oom1_acquire(void)
{
	int e;

	if (!sdb.loaded)
		return -EOPNOTSUPP;
	if (oom1_bus) {
		while (sdb.sd_bus_process(oom1_bus, NULL) > 0)
			; /* (NameAcquired and calls we do not serve: drained) */
		return 1;
	}
	e = sdb.sd_bus_open_system(&oom1_bus);
	if (e < 0)
		return e;
	sdb.sd_bus_set_method_call_timeout(oom1_bus, DBUS_TIMEOUT_USEC);
	e = sdb.sd_bus_request_name(oom1_bus, DBUS_OOM1_NAME, 0);
	if (e < 0) {
		sdb.sd_bus_close_unref(oom1_bus);
		oom1_bus = NULL;
		return e == -EEXIST || e == -EALREADY ? 0 : e;
	}
	return 1;
}

int dbus_oom1_killed(const char *cgroup, const char *reason)
{
	char path[TASK_CGROUP_MAX * 4 + 1];
	int e = dbus_oom1_acquire();

	if (e <= 0)
		return e;
	text_escape(cgroup, path, sizeof(path));
	e = sdb.sd_bus_emit_signal(oom1_bus, DBUS_OOM1_PATH, DBUS_OOM1_INTERFACE, "Killed", "ss", path, reason);
	if (e >= 0)
		e = flush_within(oom1_bus, DBUS_TIMEOUT_USEC);
	return e < 0 ? e : 1;
}

void dbus_oom1_release(void)
{
	if (oom1_bus)
		sdb.sd_bus_close_unref(oom1_bus);
	oom1_bus = NULL;
}

/* Sends one Notify call, fire-and-forget, on the bus at path, within
 * timeout_usec. */
static int notify_bus(const char *path, const char *summary, const char *body, uint64_t timeout_usec)
{
	char address[4200];
	sd_bus *bus = NULL;
	sd_bus_message *m = NULL;
	int e;

	snprintf(address, sizeof(address), "unix:path=%s", path);
	e = sdb.sd_bus_new(&bus);
	if (e < 0)
		return e;
	sdb.sd_bus_set_method_call_timeout(bus, DBUS_TIMEOUT_USEC);
	if ((e = sdb.sd_bus_set_address(bus, address)) >= 0 && (e = sdb.sd_bus_set_bus_client(bus, 1)) >= 0 &&
	    (e = sdb.sd_bus_start(bus)) >= 0 &&
	    (e = sdb.sd_bus_message_new_method_call(bus, &m, "org.freedesktop.Notifications",
						"/org/freedesktop/Notifications",
						"org.freedesktop.Notifications", "Notify")) >= 0 &&
	    (e = sdb.sd_bus_message_append(m, "susssasa{sv}i", "oomkit", (uint32_t)0, "dialog-warning",
				       summary, body, 0, 1, "urgency", "y", (uint8_t)1, (int32_t)-1)) >= 0 &&
	    (e = sdb.sd_bus_message_set_expect_reply(m, 0)) >= 0 && (e = sdb.sd_bus_send(bus, m, NULL)) >= 0)
		e = flush_within(bus, timeout_usec);
	sdb.sd_bus_message_unref(m);
	sdb.sd_bus_close_unref(bus);
	return e < 0 ? e : 0;
}

/* The session bus admits its owner only: connect with this thread's
 * effective uid switched (the raw syscall changes the calling thread
 * alone; glibc's setresuid() would switch every thread). As the user, the
 * 0700 /run/user/UID is also searchable without CAP_DAC_OVERRIDE. Only a
 * socket the user owns, in a directory the user owns, is the user's bus:
 * nothing else is connected to (no symlink followed). */
static int notify_user(uid_t uid, const char *path, const char *summary, const char *body,
		       uint64_t timeout_usec)
{
	char dir[4096];
	uid_t euid = geteuid();
	struct stat st, dst;
	int e;

	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	if (euid != uid && syscall(SYS_setresuid, (uid_t)-1, uid, (uid_t)-1) < 0)
		return -errno;
	if (lstat(path, &st) < 0 || lstat(dir, &dst) < 0)
		e = -errno;
	else if (!S_ISSOCK(st.st_mode) || !S_ISDIR(dst.st_mode))
		e = -ENOTSOCK;
	else if (st.st_uid != uid || dst.st_uid != uid)
		e = -EPERM;
	else
		e = notify_bus(path, summary, body, timeout_usec);
	if (euid != uid && syscall(SYS_setresuid, (uid_t)-1, euid, (uid_t)-1) < 0)
		e = -errno; /* cannot happen: the saved uid is euid */
	return e;
}

int dbus_notify_desktops(const struct kill_record *r, const char *runtime_root)
{
	char summary[256], body[1024], path[4096];
	uint64_t deadline = now_usec() + DBUS_DESKTOPS_BUDGET_USEC;
	struct dirent *de;
	DIR *d;
	int sent = 0, err = 0;

	if (!sdb.loaded)
		return -EOPNOTSUPP;
	if (!runtime_root)
		runtime_root = "/run/user";
	d = opendir(runtime_root);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	dbus_notification_text(r, summary, sizeof(summary), body, sizeof(body));
	while ((de = readdir(d))) {
		int uid, e;

		if (parse_int(de->d_name, &uid) < 0 || uid < 0)
			continue;
		uint64_t now = now_usec();

		if (now >= deadline) {
			err = -ETIMEDOUT; /* the rest of the desktops are skipped */
			break;
		}
		snprintf(path, sizeof(path), "%s/%s/bus", runtime_root, de->d_name);
		e = notify_user((uid_t)uid, path, summary, body,
				deadline - now < DBUS_TIMEOUT_USEC ? deadline - now : DBUS_TIMEOUT_USEC);
		if (e == -ENOENT)
			continue; /* a runtime dir without a session bus */
		if (e < 0)
			err = e;
		else
			sent++;
	}
	closedir(d);
	return sent || !err ? sent : err;
}

#else /* !HAVE_SDBUS */

int dbus_load(char *why, size_t size)
{
	snprintf(why, size, "no D-Bus module in this build");
	return -EOPNOTSUPP;
}

int dbus_emit_killed(const struct kill_record *r)
{
	(void)r;
	return -EOPNOTSUPP;
}

int dbus_notify_desktops(const struct kill_record *r, const char *runtime_root)
{
	(void)r;
	(void)runtime_root;
	return -EOPNOTSUPP;
}

int dbus_oom1_acquire(void)
{
	return -EOPNOTSUPP;
}

int dbus_oom1_killed(const char *cgroup, const char *reason)
{
	(void)cgroup;
	(void)reason;
	return -EOPNOTSUPP;
}

void dbus_oom1_release(void)
{
}

#endif
