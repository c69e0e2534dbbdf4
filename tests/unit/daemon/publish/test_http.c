/* test_http.c - the metrics server's request parser on good, incomplete,
 * hostile and oversized heads, and the responses it builds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/publish/http.h"

struct c {
	const char *in;
	size_t len; /* 0: strlen */
	int status;
	const char *path;
};

static const struct c cases[] = {
	{ "GET /metrics HTTP/1.1\r\nHost: localhost:9101\r\nAccept: */*\r\n\r\n", 0, 200, "/metrics" },
	{ "GET /metrics HTTP/1.0\n\n", 0, 200, "/metrics" },
	{ "HEAD / HTTP/1.1\r\n\r\n", 0, 200, "/" },
	{ "\r\nGET /metrics?x=1&y HTTP/1.1\r\n\r\n", 0, 200, "/metrics" },
	{ "GET /metrics HTTP/1.1\r\nX-Empty:\r\nUser-Agent: Prometheus/2.45.0\r\n\r\n", 0, 200, "/metrics" },
	{ "GET /metrics HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n", 0, 200, "/metrics" }, /* obs-text */
	/* incomplete */
	{ "", 0, 0, NULL },
	{ "GET /metr", 0, 0, NULL },
	{ "GET /metrics HTTP/1.1\r", 0, 0, NULL },
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\n", 0, 0, NULL },
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\n\r", 0, 0, NULL },
	/* bad */
	{ "POST /metrics HTTP/1.1\r\n\r\n", 0, 405, NULL },
	{ "get /metrics HTTP/1.1\r\n\r\n", 0, 405, NULL },
	{ "GET  /metrics HTTP/1.1\r\n\r\n", 0, 400, NULL },
	{ "GET metrics HTTP/1.1\r\n\r\n", 0, 400, NULL },
	{ "GET http://x/metrics HTTP/1.1\r\n\r\n", 0, 400, NULL },
	{ "GET /metrics HTTP/2.0\r\n\r\n", 0, 505, NULL },
	{ "GET /metrics HTTP/1.10\r\n\r\n", 0, 400, NULL },
	{ "GET /metrics HTTP/1.1 \r\n\r\n", 0, 400, NULL },
	{ "GET /metrics\r\n\r\n", 0, 400, NULL },
	{ "GET /met\x01rics HTTP/1.1\r\n\r\n", 0, 400, NULL },
	{ "GET /metrics HTTP/1.1\rX\n\r\n", 0, 400, NULL },
	{ "GET /metrics HTTP/1.1\r\nHost x\r\n\r\n", 0, 400, NULL },
	{ "GET /metrics HTTP/1.1\r\n: x\r\n\r\n", 0, 400, NULL },
	{ "GET /metrics HTTP/1.1\r\nHo st: x\r\n\r\n", 0, 400, NULL },
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 0, 400, NULL },
	{ "GET /metrics HTTP/1.1\r\nHost: a\x7f\r\n\r\n", 0, 400, NULL },
	{ "GET /metrics HTTP/1.1\r\nHost: a\0b\r\n\r\n", 36, 400, NULL },
	{ "GET /me\0trics HTTP/1.1\r\n\r\n", 27, 400, NULL },
	{ "\0", 1, 400, NULL },
};

static void test_cases(void **state)
{
	struct http_request req;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct c *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		int st = http_parse_request(c->in, len, &req);

		if (st != c->status)
			fail_msg("case %zu: status %d, want %d", i, st, c->status);
		if (c->path)
			assert_string_equal(req.path, c->path);
		if (st == 200)
			assert_true(req.head_len > 0 && req.head_len <= len);
	}
}

static void test_limits(void **state)
{
	static char big[HTTP_MAX_HEAD + 100];
	struct http_request req;
	size_t n;

	(void)state;
	/* a target of HTTP_MAX_TARGET bytes is too long */
	n = (size_t)snprintf(big, sizeof(big), "GET /");
	memset(big + n, 'a', HTTP_MAX_TARGET);
	strcpy(big + n + HTTP_MAX_TARGET, " HTTP/1.1\r\n\r\n");
	assert_int_equal(http_parse_request(big, strlen(big), &req), 414);
	/* endless headers: 431 once the head limit is reached, never "incomplete" */
	n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\n");
	while (n + 8 < sizeof(big))
		n += (size_t)snprintf(big + n, sizeof(big) - n, "X: y\r\n");
	assert_int_equal(http_parse_request(big, n, &req), 431);
	/* too many headers, even in a small head */
	n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= HTTP_MAX_HEADERS; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "A:\r\n");
	strcpy(big + n, "\r\n");
	assert_int_equal(http_parse_request(big, n + 2, &req), 431);
	/* one endless line */
	memset(big, 'G', HTTP_MAX_HEAD);
	assert_int_equal(http_parse_request(big, HTTP_MAX_HEAD, &req), 431);
	memcpy(big, "GET /", 5);
	memset(big + 5, 'a', HTTP_MAX_HEAD - 5);
	assert_int_equal(http_parse_request(big, HTTP_MAX_HEAD, &req), 431);
}

static void test_respond(void **state)
{
	char out[512];
	struct textbuf t;
	struct http_request req;

	(void)state;
	assert_int_equal(http_parse_request("GET /metrics HTTP/1.1\r\n\r\n", 25, &req), 200);
	textbuf_init(&t, out, sizeof(out));
	assert_true(http_respond(&t, 200, &req, "a 1\n", 4));
	assert_string_equal(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
				 "Content-Length: 4\r\nConnection: close\r\nCache-Control: no-store\r\n\r\na 1\n");
	req.method = HTTP_HEAD;
	textbuf_init(&t, out, sizeof(out));
	assert_true(http_respond(&t, 200, &req, "a 1\n", 4));
	assert_non_null(strstr(out, "Content-Length: 4\r\n"));
	assert_non_null(strstr(out, "\r\n\r\n"));
	assert_string_equal(strstr(out, "\r\n\r\n"), "\r\n\r\n");
	assert_int_equal(http_parse_request("GET /x HTTP/1.1\r\n\r\n", 19, &req), 200);
	textbuf_init(&t, out, sizeof(out));
	assert_true(http_respond(&t, 200, &req, NULL, 0));
	assert_true(!strncmp(out, "HTTP/1.1 404 Not Found\r\n", 24));
	textbuf_init(&t, out, sizeof(out));
	assert_true(http_respond(&t, 405, NULL, NULL, 0));
	assert_non_null(strstr(out, "Allow: GET, HEAD\r\n"));
	textbuf_init(&t, out, 40);
	assert_false(http_respond(&t, 400, NULL, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_respond),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
