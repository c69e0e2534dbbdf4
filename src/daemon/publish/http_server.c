/* http_server.c - see http_server.h. */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "thread.h"
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/util.h"

static int parse_port(const char *s, in_port_t *port)
{
	int v;

	if (parse_int(s, &v) < 0 || v < 0 || v > 65535 || s[0] == '+' || s[0] == '-')
		return -EINVAL;
	*port = htons((uint16_t)v);
	return 0;
}

int http_parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon;
	size_t hlen;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		hlen = (size_t)(end - spec - 1);
		colon = end + 1;
		spec++;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return -EINVAL;
		hlen = (size_t)(colon - spec);
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1 || parse_port(colon + 1, &a->sin6_port) < 0)
			return -EINVAL;
		if (!IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
			return -EPERM;
		a->sin6_family = AF_INET6;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1 || parse_port(colon + 1, &a->sin_port) < 0)
			return -EINVAL;
		if ((ntohl(a->sin_addr.s_addr) >> 24) != 127)
			return -EPERM;
		a->sin_family = AF_INET;
		*len = sizeof(*a);
	}
	return 0;
}

static int remaining_ms(uint64_t deadline_ns)
{
	uint64_t now = now_ns();

	return now >= deadline_ns ? 0 : (int)((deadline_ns - now) / 1000000) + 1;
}

/* Reads a request head until complete, refused, or the deadline. */
static int read_request(struct http_server *s, int fd, uint64_t deadline, struct http_request *req)
{
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int st;

		if (poll(&p, 1, remaining_ms(deadline)) <= 0)
			return 408;
		n = recv(fd, s->request + len, sizeof(s->request) - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1; /* peer gone: nothing to answer */
		len += (size_t)n;
		st = http_parse_request(s->request, len, req);
		if (st)
			return st;
	}
}

static void write_all(int fd, const char *buf, size_t len, uint64_t deadline)
{
	while (len > 0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n;

		if (poll(&p, 1, remaining_ms(deadline)) <= 0)
			return;
		n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void serve_one(struct http_server *s, int fd)
{
	uint64_t deadline = now_ns() + (uint64_t)HTTP_SERVER_DEADLINE_MS * 1000000;
	struct http_request req;
	struct textbuf out;
	int st = read_request(s, fd, deadline, &req);

	if (st < 0)
		return;
	textbuf_init(&out, s->response, sizeof(s->response));
	pthread_mutex_lock(&s->lock);
	http_respond(&out, st, st == 200 ? &req : NULL, s->body, s->body_len);
	pthread_mutex_unlock(&s->lock);
	if (st == 200)
		s->nr_served++;
	else
		s->nr_rejected++;
	write_all(fd, out.buf, out.len, deadline);
}

static void *serve(void *arg)
{
	struct http_server *s = arg;

	for (;;) {
		struct pollfd p[2] = { { .fd = s->listen_fd, .events = POLLIN }, { .fd = s->stop_fd, .events = POLLIN } };
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve_one(s, fd);
		close(fd);
	}
	return NULL;
}

int http_server_start(struct http_server *s, const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, r;

	s->running = false;
	s->body_len = 0;
	s->nr_served = s->nr_rejected = 0;
	r = http_parse_listen(spec, &ss, &len);
	if (r < 0)
		return r;
	s->listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return -errno;
	setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->listen_fd, (struct sockaddr *)&ss, len) < 0 || listen(s->listen_fd, 16) < 0) {
		r = -errno;
		close(s->listen_fd);
		return r;
	}
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stop_fd < 0) {
		r = -errno;
		close(s->listen_fd);
		return r;
	}
	pthread_mutex_init(&s->lock, NULL);
	r = start_thread_no_signals(&s->thread, serve, s);
	if (r < 0) {
		close(s->listen_fd);
		close(s->stop_fd);
		pthread_mutex_destroy(&s->lock);
		return r;
	}
	s->running = true;
	return 0;
}

void http_server_set_body(struct http_server *s, const char *text, size_t len)
{
	if (len > sizeof(s->body))
		len = sizeof(s->body);
	pthread_mutex_lock(&s->lock);
	memcpy(s->body, text, len);
	s->body_len = len;
	pthread_mutex_unlock(&s->lock);
}

void http_server_stop(struct http_server *s)
{
	uint64_t one = 1;

	if (!s->running)
		return;
	if (write(s->stop_fd, &one, sizeof(one)) < 0)
		return; /* an eventfd write cannot fail short of a bug: keep the thread */
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	close(s->stop_fd);
	pthread_mutex_destroy(&s->lock);
	s->running = false;
}
