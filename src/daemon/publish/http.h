/* http.h - the one-endpoint HTTP/1.x of the metrics server: a defensive
 * request-head parser (every byte checked against RFC 9112's grammar,
 * bounded sizes, no allocation; fuzzed by tests/fuzz/fuzz_http.c) and the
 * response writer. No keep-alive, no bodies: one request per connection. */
#ifndef OOMKIT_HTTP_H
#define OOMKIT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/textbuf.h"

#define HTTP_MAX_HEAD 8192     /* request line + headers */
#define HTTP_MAX_TARGET 256
#define HTTP_MAX_HEADERS 64

enum http_method { HTTP_GET, HTTP_HEAD };

struct http_request {
	enum http_method method;
	char path[HTTP_MAX_TARGET];    /* the target up to '?' (query dropped) */
	int minor_version;             /* HTTP/1.<minor> */
	size_t head_len;               /* bytes up to and including the blank line */
};

/* Parses the request head at the start of buf[0..len). Returns
 *   200  complete and acceptable (req filled),
 *   0    incomplete: read more (never when len >= HTTP_MAX_HEAD),
 *   400 / 405 / 414 / 431 / 505  the status to answer with.
 * LF-only line ends are accepted; bare CR, NUL, control bytes, obsolete
 * line folding, and malformed header names or values are 400. */
int http_parse_request(const char *buf, size_t len, struct http_request *req);

/* Routes a parsed request: "/metrics" -> 200 with body, "/" -> 200 index,
 * other paths -> 404. Writes the whole response into out (Connection:
 * close). Returns false when out is too small. */
bool http_respond(struct textbuf *out, int status, const struct http_request *req,
		  const char *metrics, size_t metrics_len);

const char *http_reason(int status);

#endif
