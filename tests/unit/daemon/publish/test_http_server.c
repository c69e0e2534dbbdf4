/* test_http_server.c - the loopback /metrics server for real: refuses
 * non-loopback addresses, serves the current body to a client, answers
 * garbage with 400, and a silent client is cut off at the deadline while
 * the next one is still served. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/publish/http_server.h"
#include "core/util.h"

static struct http_server srv;

static void test_listen_spec(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;

	(void)state;
	assert_int_equal(http_parse_listen("127.0.0.1:9101", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9101);
	assert_int_equal(http_parse_listen("127.1.2.3:1", &ss, &len), 0);
	assert_int_equal(http_parse_listen("[::1]:9101", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(http_parse_listen("localhost:80", &ss, &len), 0);
	assert_int_equal(http_parse_listen("0.0.0.0:9101", &ss, &len), -EPERM);
	assert_int_equal(http_parse_listen("10.1.2.3:9101", &ss, &len), -EPERM);
	assert_int_equal(http_parse_listen("[::]:9101", &ss, &len), -EPERM);
	assert_int_equal(http_parse_listen("[::ffff:10.0.0.1]:9101", &ss, &len), -EPERM);
	assert_int_equal(http_parse_listen("127.0.0.1", &ss, &len), -EINVAL);
	assert_int_equal(http_parse_listen("127.0.0.1:", &ss, &len), -EINVAL);
	assert_int_equal(http_parse_listen("127.0.0.1:65536", &ss, &len), -EINVAL);
	assert_int_equal(http_parse_listen("127.0.0.1:-1", &ss, &len), -EINVAL);
	assert_int_equal(http_parse_listen("example.org:80", &ss, &len), -EINVAL);
	assert_int_equal(http_parse_listen("[::1:9101", &ss, &len), -EINVAL);
	assert_int_equal(http_server_start(&srv, "0.0.0.0:0"), -EPERM);
}

/* The port the server bound (it listens on 127.0.0.1:0), or -errno. */
static int server_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(srv.listen_fd, (struct sockaddr *)&a, &len) < 0)
		return -errno;
	return ntohs(a.sin_port);
}

static int client(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)server_port()) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static char *exchange(const char *req, char *buf, size_t size)
{
	int fd = client();
	size_t len = 0;
	ssize_t n;

	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return buf;
}

static void test_serve(void **state)
{
	static char buf[8192];
	uint64_t t0;
	int silent;

	(void)state;
	assert_int_equal(http_server_start(&srv, "127.0.0.1:0"), 0);
	assert_true(server_port() > 0);
	http_server_set_body(&srv, "oomkit_kills_total 3\n", 21);
	exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf));
	assert_true(!strncmp(buf, "HTTP/1.1 200 OK\r\n", 17));
	assert_non_null(strstr(buf, "\r\n\r\noomkit_kills_total 3\n"));
	http_server_set_body(&srv, "oomkit_kills_total 4\n", 21);
	exchange("GET /metrics HTTP/1.0\n\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, "\r\n\r\noomkit_kills_total 4\n"));
	exchange("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", buf, sizeof(buf)); /* a TLS hello */
	assert_true(!strncmp(buf, "HTTP/1.1 400 Bad Request\r\n", 26));
	exchange("DELETE /metrics HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	assert_true(!strncmp(buf, "HTTP/1.1 405 ", 13));

	/* a client that never sends: cut at the deadline, the next one served */
	t0 = now_ns();
	silent = client();
	exchange("GET /metrics HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, "oomkit_kills_total 4\n"));
	assert_true(now_ns() - t0 < (uint64_t)(HTTP_SERVER_DEADLINE_MS + 1500) * 1000000);
	assert_int_equal(read(silent, buf, sizeof(buf) - 1) > 0, 1);
	assert_true(!strncmp(buf, "HTTP/1.1 408 ", 13));
	close(silent);
	assert_int_equal(srv.nr_served, 3);
	http_server_stop(&srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_spec),
		cmocka_unit_test(test_serve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
