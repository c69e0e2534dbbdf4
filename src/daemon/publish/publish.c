/* publish.c - see publish.h. */
#include "publish.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "thread.h"

#include "atomic_file.h"
#include "dbus_event.h"

static void note_error(struct publisher *p, const char *what, int e)
{
	if (e >= 0)
		return;
	p->last_error = e;
	snprintf(p->last_error_what, sizeof(p->last_error_what), "%s", what);
}

/* Metrics are kept only when something reads them (a file or /metrics):
 * otherwise their 40 KiB would stay resident for nothing. */
static bool metrics_read(const struct publisher *p)
{
	return p->cfg.metrics_file[0] || p->cfg.metrics_listen[0];
}

static void publish_kill_record(struct publisher *p, const struct kill_record *r)
{
	if (metrics_read(p))
		metrics_record_kill(&p->metrics, r);
	if (metrics_read(p) && r->selection_seconds >= 0)
		metrics_observe_selection(&p->metrics, r->selection_seconds);
	if (r->dry_run)
		return; /* nobody died: no signal, no notification */
	if (p->cfg.dbus)
		note_error(p, "dbus signal", dbus_emit_killed(r));
	if (p->cfg.oom1 && !r->kernel) {
		p->oom1_held = dbus_oom1_killed(r->cgroup, dbus_oom1_reason(r));
		note_error(p, "org.freedesktop.oom1 signal", p->oom1_held);
	}
	if (p->cfg.notify_desktop) {
		int e = dbus_notify_desktops(r, p->cfg.runtime_root[0] ? p->cfg.runtime_root : NULL);

		note_error(p, "desktop notification", e < 0 ? e : 0);
	}
}

static void publish_metrics(struct publisher *p, const struct status_view *v)
{
	struct meminfo mi = {
		.mem_total_kb = v->mem_total_kb,
		.mem_available_kb = v->mem_available_kb,
		.swap_total_kb = v->swap_total_kb,
		.swap_free_kb = v->swap_free_kb,
		.commit_limit_kb = v->knobs.commit_limit_kb,
		.committed_as_kb = v->knobs.committed_as_kb,
	};
	long n;

	if (v->mem_total_kb)
		metrics_set_meminfo(&p->metrics, &mi);
	if (v->have_psi)
		metrics_set_psi(&p->metrics, &v->psi);
	for (size_t i = 0; i < v->nr_triggers; i++)
		if (!strcmp(v->triggers[i].name, "memcg"))
			metrics_set_cgroup(&p->metrics, v->triggers[i].where, v->triggers[i].usage_bytes,
					   v->triggers[i].limit_bytes);
	n = metrics_render(&p->metrics, p->text, sizeof(p->text));
	if (n < 0) {
		note_error(p, "metrics render", (int)n);
		return;
	}
	if (p->cfg.metrics_file[0])
		note_error(p, "metrics file", atomic_write_file(p->cfg.metrics_file, p->text, (size_t)n, 0644));
	if (p->http.running)
		http_server_set_body(&p->http, p->text, (size_t)n);
}

static void publish_state(struct publisher *p, const struct status_view *v, uint64_t key)
{
	if (p->cfg.status_dir[0] && v->pid)
		note_error(p, "status files", status_save(v, p->cfg.status_dir, key));
	if (metrics_read(p))
		publish_metrics(p, v);
}

/* A reload's settings, in the thread: the /metrics listener moves (joining
 * the old one's thread may take its 2 s connection deadline: here, never
 * in the daemon's loop), the oom1 name is taken or given back, then every
 * publication goes to the new places. */
static void apply_config(struct publisher *p, const struct publish_config *c)
{
	bool had_metrics = metrics_read(p);

	if (strcmp(c->metrics_listen, p->cfg.metrics_listen)) {
		http_server_stop(&p->http);
		if (c->metrics_listen[0])
			note_error(p, "metrics listen", http_server_start(&p->http, c->metrics_listen));
	}
	if (c->oom1 && !p->cfg.oom1)
		p->oom1_held = dbus_oom1_acquire();
	else if (!c->oom1 && p->cfg.oom1) {
		dbus_oom1_release();
		p->oom1_held = 0;
	}
	p->cfg = *c;
	if (!had_metrics && metrics_read(p))
		metrics_init(&p->metrics);
}

static void *run(void *arg)
{
	struct publisher *p = arg;
	static struct publish_config next; /* the thread's alone */

	if (p->cfg.oom1) /* (held from the start: tools look for its owner) */
		p->oom1_held = dbus_oom1_acquire();
	for (;;) {
		unsigned int nr;
		bool state, quit, reconfigure;

		pthread_mutex_lock(&p->lock);
		while (!p->quit && !p->queued && !p->view_dirty && !p->reconfigure)
			pthread_cond_wait(&p->wake, &p->lock);
		reconfigure = p->reconfigure;
		if (reconfigure)
			next = p->next;
		p->reconfigure = false;
		nr = p->queued;
		memcpy(p->kills, p->queue, nr * sizeof(p->kills[0]));
		p->queued = 0;
		state = p->view_dirty;
		if (state) {
			status_view_copy(&p->current, &p->view);
			p->current_key = p->view_key;
		}
		p->view_dirty = false;
		quit = p->quit;
		p->busy = true;
		pthread_mutex_unlock(&p->lock);

		if (reconfigure)
			apply_config(p, &next);
		for (unsigned int i = 0; i < nr; i++)
			publish_kill_record(p, &p->kills[i]);
		if (state || nr || reconfigure)
			publish_state(p, &p->current, p->current_key);
		pthread_mutex_lock(&p->lock);
		p->busy = false;
		pthread_mutex_unlock(&p->lock);
		if (quit) {
			dbus_oom1_release();
			return NULL;
		}
	}
}

static void listen_error(const char *spec, int e, char *why, size_t size)
{
	snprintf(why, size, "metrics_listen=%s: %s", spec,
		 e == -EPERM ? "not a loopback address (127.0.0.0/8, ::1)" :
		 e == -EINVAL ? "expected ADDRESS:PORT" : strerror(-e));
}

int publisher_start(struct publisher *p, const struct publish_config *c, char *why, size_t size)
{
	int e;

	/* field by field: a memset of the whole would make its 0.5 MiB of
	 * buffers (the /metrics body, the kill queue) resident for nothing
	 * when they are not used (bench/RESULTS.md, idle memory) */
	p->cfg = *c;
	p->quit = p->busy = p->view_dirty = false;
	p->queued = p->dropped = 0;
	p->sent_seconds = -(double)STATUS_REWRITE_S; /* the first sample is handed over */
	p->last_error = 0;
	p->last_error_what[0] = '\0';
	p->requested = *c;
	p->reconfigure = false;
	p->heartbeat_fd = -1;
	p->oom1_held = 0;
	p->http.running = false;
	if (metrics_read(p))
		metrics_init(&p->metrics);
	if (c->metrics_listen[0]) {
		e = http_server_start(&p->http, c->metrics_listen);
		if (e < 0) {
			listen_error(c->metrics_listen, e, why, size);
			return e;
		}
	}
	if (c->status_dir[0])
		p->heartbeat_fd = status_heartbeat_open(c->status_dir);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	e = start_thread_no_signals(&p->thread, run, p);
	if (e < 0) {
		snprintf(why, size, "publisher thread: %s", strerror(-e));
		http_server_stop(&p->http);
		if (p->heartbeat_fd >= 0)
			close(p->heartbeat_fd);
		p->heartbeat_fd = -1;
		return e;
	}
	p->running = true;
	return 0;
}

void publisher_kill(struct publisher *p, const struct kill_record *r)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->queued == PUBLISH_QUEUE) {
		memmove(p->queue, p->queue + 1, (PUBLISH_QUEUE - 1) * sizeof(p->queue[0]));
		p->queued--;
		p->dropped++;
	}
	p->queue[p->queued++] = *r;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

/* At rest the state rarely changes. When the publisher thread has nothing
 * pending, nothing reads the metrics, and v would write what the status
 * files already say (status_view_timeless, with memory held at what was
 * handed over while it moved by less than 1%: a figure hovering at a
 * boundary does not flip the files; rewritten at least every
 * STATUS_REWRITE_S), the daemon's thread touches the files itself (as the
 * heartbeat: no data, no rename) and lets the publisher sleep: waking it
 * to do that was a third of the idle daemon's CPU (bench/RESULTS.md). A
 * publisher still busy with the last state is not covered for: its files
 * age and `oomkit status` says it is late. */
static void hold_near(unsigned long *kb, unsigned long was, unsigned long total)
{
	unsigned long d = *kb > was ? *kb - was : was - *kb;

	if (d < total / 100)
		*kb = was;
}

/* v would write what the files say (its held timeless key is the last
 * one handed over) and they are not due for a rewrite; made in p->view. */
static bool unchanged(struct publisher *p, const struct status_view *v)
{
	if (p->cfg.metrics_file[0] || p->http.running || v->updated_seconds - p->sent_seconds >= STATUS_REWRITE_S)
		return false;
	status_view_copy(&p->view, v);
	hold_near(&p->view.mem_available_kb, p->sent_raw.mem_available_kb, v->mem_total_kb);
	hold_near(&p->view.swap_free_kb, p->sent_raw.swap_free_kb, v->swap_total_kb);
	hold_near(&p->view.knobs.committed_as_kb, p->sent_raw.committed_as_kb, v->knobs.commit_limit_kb);
	return status_view_key(&p->view, &p->view) == p->sent_key;
}

void publisher_sample(struct publisher *p, const struct status_view *v)
{
	bool pending, idle;

	if (!p->running)
		return;
	status_heartbeat(p->heartbeat_fd);
	pthread_mutex_lock(&p->lock);
	pending = p->view_dirty;
	idle = !pending && !p->busy && !p->queued;
	pthread_mutex_unlock(&p->lock);
	/* p->view is this thread's while no state is pending: only this
	 * thread sets view_dirty, and the publisher reads p->view only then */
	if (idle && unchanged(p, v) && (!p->cfg.status_dir[0] || status_touch(p->cfg.status_dir) == 0))
		return;
	p->sent_key = pending ? 0 : status_view_key(v, &p->view); /* 0: unknown, hand the next over */
	p->sent_seconds = v->updated_seconds;
	p->sent_raw.mem_available_kb = v->mem_available_kb;
	p->sent_raw.swap_free_kb = v->swap_free_kb;
	p->sent_raw.committed_as_kb = v->knobs.committed_as_kb;
	pthread_mutex_lock(&p->lock);
	status_view_copy(&p->view, v);
	p->view_key = p->sent_key;
	p->view_dirty = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

static bool same_config(const struct publish_config *a, const struct publish_config *b)
{
	return !strcmp(a->metrics_file, b->metrics_file) && !strcmp(a->metrics_listen, b->metrics_listen) &&
	       !strcmp(a->status_dir, b->status_dir) && !strcmp(a->runtime_root, b->runtime_root) &&
	       a->dbus == b->dbus && a->notify_desktop == b->notify_desktop && a->oom1 == b->oom1;
}

int publisher_reconfigure(struct publisher *p, const struct publish_config *c, char *why, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int e, fd;

	if (!p->running)
		return 0;
	if (same_config(c, &p->requested))
		return 0;
	if (c->metrics_listen[0] && (e = http_parse_listen(c->metrics_listen, &ss, &len)) < 0) {
		listen_error(c->metrics_listen, e, why, size);
		return e;
	}
	if (strcmp(c->status_dir, p->requested.status_dir)) {
		fd = c->status_dir[0] ? status_heartbeat_open(c->status_dir) : -1;
		if (p->heartbeat_fd >= 0)
			close(p->heartbeat_fd);
		p->heartbeat_fd = fd;
	}
	p->requested = *c;
	pthread_mutex_lock(&p->lock);
	p->next = *c;
	p->reconfigure = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	return 1;
}

void publisher_stop(struct publisher *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	http_server_stop(&p->http);
	if (p->heartbeat_fd >= 0)
		close(p->heartbeat_fd);
	p->heartbeat_fd = -1;
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	p->running = false;
}
