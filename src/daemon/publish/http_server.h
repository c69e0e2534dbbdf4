/* http_server.h - the loopback-only /metrics endpoint: one thread, one
 * connection at a time, each bounded in time and size, so that a slow or
 * hostile local client can delay a scrape but never the daemon's loop.
 * The daemon hands it the rendered metrics text (copied under a mutex);
 * everything is preallocated in the struct at start. */
#ifndef OOMKIT_HTTP_SERVER_H
#define OOMKIT_HTTP_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "http.h"

#define HTTP_SERVER_BODY_MAX (128 * 1024)
#define HTTP_SERVER_DEADLINE_MS 2000 /* per connection: read + write */

struct http_server {
	int listen_fd;
	int stop_fd;                 /* eventfd: wakes the thread to exit */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	size_t body_len;
	char body[HTTP_SERVER_BODY_MAX];
	char request[HTTP_MAX_HEAD];
	char response[HTTP_SERVER_BODY_MAX + 1024];
	unsigned long nr_served, nr_rejected;
};

/* Parses "127.0.0.1:9101", "[::1]:9101" or "localhost:9101" into ss;
 * -EINVAL for syntax, -EPERM for an address that is not loopback. */
int http_parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len);

/* Binds and listens on spec and starts the serving thread. 0 or -errno. */
int http_server_start(struct http_server *s, const char *spec);
/* Replaces the /metrics body (truncated to HTTP_SERVER_BODY_MAX). */
void http_server_set_body(struct http_server *s, const char *text, size_t len);
void http_server_stop(struct http_server *s);

#endif
