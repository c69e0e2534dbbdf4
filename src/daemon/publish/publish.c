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

static void publish_kill_record(struct publisher *p, const struct kill_record *r)
{
	metrics_record_kill(&p->metrics, r);
	if (r->selection_seconds >= 0)
		metrics_observe_selection(&p->metrics, r->selection_seconds);
	if (r->dry_run)
		return; /* nobody died: no signal, no notification */
	if (p->cfg.dbus)
		note_error(p, "dbus signal", dbus_emit_killed(r));
	if (p->cfg.notify_desktop) {
		int e = dbus_notify_desktops(r, p->cfg.runtime_root[0] ? p->cfg.runtime_root : NULL);

		note_error(p, "desktop notification", e < 0 ? e : 0);
	}
}

static void publish_state(struct publisher *p, const struct status_view *v)
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
	if (p->cfg.status_dir[0] && v->pid)
		note_error(p, "status files", status_save(v, p->cfg.status_dir));
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

/* A reload's settings, in the thread: the /metrics listener moves (joining
 * the old one's thread may take its 2 s connection deadline: here, never
 * in the daemon's loop), then every publication goes to the new places. */
static void apply_config(struct publisher *p, const struct publish_config *c)
{
	if (strcmp(c->metrics_listen, p->cfg.metrics_listen)) {
		http_server_stop(&p->http);
		if (c->metrics_listen[0])
			note_error(p, "metrics listen", http_server_start(&p->http, c->metrics_listen));
	}
	p->cfg = *c;
}

static void *run(void *arg)
{
	struct publisher *p = arg;
	static struct publish_config next; /* the thread's alone */

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
		if (state)
			p->current = p->view;
		p->view_dirty = false;
		quit = p->quit;
		pthread_mutex_unlock(&p->lock);

		if (reconfigure)
			apply_config(p, &next);
		for (unsigned int i = 0; i < nr; i++)
			publish_kill_record(p, &p->kills[i]);
		if (state || nr || reconfigure)
			publish_state(p, &p->current);
		if (quit)
			return NULL;
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

	memset(p, 0, sizeof(*p));
	p->cfg = p->requested = *c;
	p->heartbeat_fd = -1;
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

void publisher_sample(struct publisher *p, const struct status_view *v)
{
	if (!p->running)
		return;
	status_heartbeat(p->heartbeat_fd);
	pthread_mutex_lock(&p->lock);
	p->view = *v;
	p->view_dirty = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

static bool same_config(const struct publish_config *a, const struct publish_config *b)
{
	return !strcmp(a->metrics_file, b->metrics_file) && !strcmp(a->metrics_listen, b->metrics_listen) &&
	       !strcmp(a->status_dir, b->status_dir) && !strcmp(a->runtime_root, b->runtime_root) &&
	       a->dbus == b->dbus && a->notify_desktop == b->notify_desktop;
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
