/* daemon.c - the daemon's life: load the configuration (file, drop-ins,
 * command-line overrides), open the watches, run the poll loop, reload on
 * SIGHUP (a bad new configuration keeps the old one running), stop on
 * SIGTERM/SIGINT. The per-pass decisions are in daemon_step.c. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon.h"
#include "daemon_log.h"
#include "daemon_report.h"
#include "exitcode.h"
#include "core/cgroup_ns.h"
#include "core/util.h"

#define MS 1000000ULL
#define POLL_MAX (4 + 3 * DAEMON_MAX_CG + DAEMON_MAX_EXTRA_FDS + 3 + MOOM_POLL_MAX)

int daemon_load_config(const struct daemon *d, struct oomkit_config *cfg, struct config_error *err)
{
	int r;

	config_defaults(cfg);
	r = config_load(cfg, d->config_path, d->config_path_explicit, err);
	if (r)
		return r;
	snprintf(err->file, sizeof(err->file), "command line");
	err->line = 0;
	for (size_t i = 0; i < d->nr_overrides; i++) {
		const struct daemon_override *o = &d->overrides[i];
		if (!strcmp(o->section, "cgroup") && !strcmp(o->key, "path") && config_begin_cgroup(cfg, err))
			return -EINVAL;
		if (config_set(cfg, o->section, o->key, o->value, err))
			return -EINVAL;
	}
	return config_validate(cfg, err);
}

void daemon_set_observer(struct daemon *d, daemon_kill_observer fn, void *arg)
{
	d->observer = fn;
	d->observer_arg = arg;
}

void daemon_set_pass_hook(struct daemon *d, daemon_pass_hook fn, void *arg)
{
	d->pass_hook = fn;
	d->pass_hook_arg = arg;
}

void daemon_set_reload_hook(struct daemon *d, daemon_reload_hook fn, void *arg)
{
	d->reload_hook = fn;
	d->reload_hook_arg = arg;
}

int daemon_add_fd(struct daemon *d, int fd, short events, daemon_fd_handler fn, void *arg)
{
	if (d->nr_extra == DAEMON_MAX_EXTRA_FDS)
		return -ENOSPC;
	d->extra[d->nr_extra].fd = fd;
	d->extra[d->nr_extra].events = events;
	d->extra[d->nr_extra].fn = fn;
	d->extra[d->nr_extra].arg = arg;
	d->nr_extra++;
	return 0;
}

static void close_watches(struct daemon *d)
{
	sys_watch_close(&d->sys);
	for (size_t i = 0; i < d->nr_cg; i++)
		memcg_watch_close(&d->cg[i]);
	d->nr_cg = 0;
	daemon_selector_stop_policy(&d->sel);
	report_event_file_close(d);
	kmsg_close();
}

int daemon_start(struct daemon *d, char *why, size_t size)
{
	int r;

	why[0] = '\0';
	dlog_set_debug(d->cfg.debug);
	if (!d->cfg.syslog)
		dlog_close_syslog();
	else if ((r = dlog_open_syslog()) < 0)
		dlog(DLOG_WARNING, "--syslog: cannot connect to /dev/log: %s; logging to stderr", strerror(-r));
	if (memcg_roots_find(d->cfg.proc_root, &d->roots))
		memset(&d->roots, 0, sizeof(d->roots));
	cgroup_ns_set_root(d->roots.ns_root);
	r = daemon_selector_start(&d->sel, &d->cfg, &d->roots, why, size);
	if (r)
		goto fail;
	r = sys_watch_open(&d->sys, &d->cfg, why, size);
	if (r)
		goto fail;
	if (why[0]) { /* PSI unavailable: the floors still protect */
		dlog(DLOG_WARNING, "%s", why);
		why[0] = '\0';
	}
	for (size_t i = 0; i < d->cfg.nr_cgroups; i++) {
		r = memcg_watch_open(&d->cg[i], &d->cfg.cgroups[i], why, size);
		if (r)
			goto fail;
		d->nr_cg++;
	}
	daemon_managed_start(d);
	r = report_event_file_open(d);
	if (r) {
		snprintf(why, size, "%s: %s", d->cfg.json_file, strerror(-r));
		goto fail;
	}
	if (d->cfg.kmsg && kmsg_open())
		dlog(DLOG_WARNING, "cannot open /dev/kmsg: %s; reports go to stderr only", strerror(errno));
	d->sustained.above_since_ns = 0;
	daemon_knobs_load(d);
	return 0;
fail:
	close_watches(d);
	return r;
}

void daemon_stop(struct daemon *d)
{
	hook_abort(&d->pre_hook);
	hook_abort(&d->post_hook);
	daemon_managed_stop(d);
	close_watches(d);
	daemon_selector_free(&d->sel);
	if (d->sigfd >= 0)
		close(d->sigfd);
	d->sigfd = -1;
}

void daemon_reload(struct daemon *d)
{
	static struct oomkit_config fresh, old; /* large: keep them off the stack */
	struct config_error err = { 0 };
	char why[512];

	if (daemon_load_config(d, &fresh, &err)) {
		d->stats.reload_failures++;
		dlog(DLOG_ERR, "reload: %s%s%.0d: %s; keeping the running configuration", err.file,
		     err.line ? ":" : "", err.line, err.msg);
		return;
	}
	old = d->cfg;
	close_watches(d);
	d->cfg = fresh;
	if (daemon_start(d, why, sizeof(why))) {
		d->stats.reload_failures++;
		dlog(DLOG_ERR, "reload: %s; keeping the running configuration", why);
		d->cfg = old;
		if (daemon_start(d, why, sizeof(why)))
			dlog(DLOG_ERR, "reload: cannot restore the old configuration either: %s", why);
		return;
	}
	d->stats.reloads++;
	dlog(DLOG_NOTICE, "configuration reloaded");
	if (d->reload_hook)
		d->reload_hook(d, d->reload_hook_arg);
}

static void daemon_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGCHLD);
}

int daemon_block_signals(void)
{
	sigset_t set;

	daemon_sigset(&set);
	return sigprocmask(SIG_BLOCK, &set, NULL) ? -errno : 0;
}

static int open_signalfd(void)
{
	sigset_t set;

	daemon_sigset(&set);
	if (daemon_block_signals())
		return -errno;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

void daemon_reload_when_idle(struct daemon *d)
{
	if (!d->reload_pending)
		return;
	if (d->ep.state == EP_PRE_HOOK || d->ep.state == EP_TERM_SENT || d->ep.state == EP_KILL_SENT) {
		if (!d->reload_deferred_logged)
			dlog(DLOG_NOTICE, "reload: deferred until the kill in progress ends");
		d->reload_deferred_logged = true;
		return;
	}
	d->reload_pending = d->reload_deferred_logged = false;
	sd_notify_send("RELOADING=1");
	daemon_reload(d);
	sd_notify_send("READY=1");
}

static void handle_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			d->reload_pending = true;
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			dlog(DLOG_NOTICE, "%s: exiting", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			d->quit = true;
		}
		/* SIGCHLD only wakes us: hooks are collected in daemon_step */
	}
}

enum fd_kind { FD_SIGNAL, FD_SYS_PSI, FD_CG_PSI, FD_CG_EVENT, FD_VICTIM, FD_EXTRA, FD_MANAGED, FD_OTHER };

struct poll_set {
	struct pollfd fds[POLL_MAX];
	enum fd_kind kind[POLL_MAX];
	int index[POLL_MAX];
	nfds_t n;
};

static void poll_add(struct poll_set *p, int fd, short events, enum fd_kind kind, int index)
{
	if (fd < 0 || p->n == POLL_MAX)
		return;
	p->fds[p->n] = (struct pollfd){ .fd = fd, .events = events };
	p->kind[p->n] = kind;
	p->index[p->n] = index;
	p->n++;
}

static void build_poll_set(const struct daemon *d, struct poll_set *p)
{
	struct pollfd managed[MOOM_POLL_MAX];
	size_t nr_managed = daemon_managed_pollfds(d, managed, MOOM_POLL_MAX);

	p->n = 0;
	for (size_t i = 0; i < nr_managed; i++)
		poll_add(p, managed[i].fd, managed[i].events, FD_MANAGED, 0);
	poll_add(p, d->sigfd, POLLIN, FD_SIGNAL, 0);
	poll_add(p, d->sys.psi_fd, POLLPRI, FD_SYS_PSI, -1);
	for (size_t i = 0; i < d->nr_cg; i++) {
		const struct memcg_watch *w = &d->cg[i];
		poll_add(p, w->psi_fd, POLLPRI, FD_CG_PSI, (int)i);
		if (w->version == 1) {
			poll_add(p, w->oom_efd, POLLIN, FD_CG_EVENT, (int)i);
			poll_add(p, w->thr_efd, POLLIN, FD_CG_EVENT, (int)i);
		} else {
			poll_add(p, w->events_fd, POLLPRI, FD_CG_EVENT, (int)i);
		}
	}
	if (d->ep.state == EP_TERM_SENT || d->ep.state == EP_KILL_SENT)
		poll_add(p, kill_victim_pidfd(d->sel.kctx), POLLIN, FD_VICTIM, 0);
	if (d->pre_hook.pid)
		poll_add(p, d->pre_hook.pidfd, POLLIN, FD_OTHER, 0);
	if (d->post_hook.pid)
		poll_add(p, d->post_hook.pidfd, POLLIN, FD_OTHER, 0);
	for (size_t i = 0; i < d->nr_extra; i++)
		poll_add(p, d->extra[i].fd, d->extra[i].events, FD_EXTRA, (int)i);
}

static void dispatch(struct daemon *d, const struct poll_set *p)
{
	for (nfds_t i = 0; i < p->n; i++) {
		short re = p->fds[i].revents;
		if (!re)
			continue;
		switch (p->kind[i]) {
		case FD_SIGNAL:
			handle_signals(d);
			break;
		case FD_SYS_PSI:
		case FD_CG_PSI:
			if (re & (POLLERR | POLLNVAL))
				break;
			d->stats.psi_events++;
			d->psi_fired = true;
			d->psi_fired_scope = p->index[i];
			break;
		case FD_CG_EVENT:
			d->stats.memcg_events++;
			memcg_watch_drain(&d->cg[p->index[i]]);
			break;
		case FD_EXTRA:
			d->extra[p->index[i]].fn(d, p->fds[i].fd, re, d->extra[p->index[i]].arg);
			break;
		case FD_MANAGED:
			daemon_managed_event(d, p->fds[i].fd, re);
			break;
		case FD_VICTIM:
		case FD_OTHER:
			break; /* daemon_step looks */
		}
	}
}

static void periodic(struct daemon *d, uint64_t now)
{
	daemon_managed_tick(d, now);
	if (d->cfg.report_interval_ms && now >= d->next_report_ns) {
		report_memory(d);
		d->next_report_ns = now + d->cfg.report_interval_ms * MS;
	}
	if (now >= d->next_watchdog_ns)
		daemon_watchdog_ping(d, now);
}

void daemon_watchdog_ping(struct daemon *d, uint64_t now)
{
	if (!d->watchdog_usec)
		return;
	sd_notify_send("WATCHDOG=1");
	d->next_watchdog_ns = now + d->watchdog_usec * 1000 / 2;
}

int daemon_run(struct daemon *d)
{
	static struct poll_set p;

	d->sigfd = open_signalfd();
	if (d->sigfd < 0) {
		dlog(DLOG_ERR, "signalfd: %s", strerror(errno));
		return EXIT_FAILURE_GENERIC;
	}
	d->watchdog_usec = sd_watchdog_usec();
	sd_notify_send("READY=1");
	while (!d->quit) {
		uint64_t now = now_ns();
		unsigned long timeout;

		daemon_reload_when_idle(d);
		daemon_step(d, now);
		periodic(d, now);
		timeout = daemon_timeout_ms(d, now);
		if (d->watchdog_usec && timeout > d->watchdog_usec / 2000)
			timeout = (unsigned long)(d->watchdog_usec / 2000);
		if (d->pass_hook) {
			uint64_t due = d->pass_hook(d, now, d->pass_hook_arg);
			unsigned long left = due > now ? (unsigned long)((due - now + MS - 1) / MS) : 0;

			timeout = left < timeout ? left : timeout;
		}
		build_poll_set(d, &p);
		if (poll(p.fds, p.n, (int)timeout) < 0 && errno != EINTR) {
			dlog(DLOG_ERR, "poll: %s", strerror(errno));
			return EXIT_FAILURE_GENERIC;
		}
		dispatch(d, &p);
	}
	sd_notify_send("STOPPING=1");
	return EXIT_OK;
}
