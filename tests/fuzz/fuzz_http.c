/* fuzz_http.c - libFuzzer target for the metrics server's request parser
 * (src/daemon/publish/http.c): any bytes must yield a valid status, never
 * read outside the input, and a 200 must come with a sane request and a
 * response that fits. Built by `make fuzz-http` (clang); run by tests/e2e/fuzz_http.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/publish/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[1024];
	struct http_request req;
	struct textbuf t;
	int st = http_parse_request((const char *)data, size, &req);

	switch (st) {
	case 0:
		if (size >= HTTP_MAX_HEAD)
			abort(); /* an oversized head must never be "incomplete" */
		return 0;
	case 200:
		if (req.path[0] != '/' || strlen(req.path) >= HTTP_MAX_TARGET ||
		    req.head_len == 0 || req.head_len > size || req.minor_version < 0 || req.minor_version > 9)
			abort();
		break;
	case 400: case 405: case 414: case 431: case 505:
		break;
	default:
		abort();
	}
	textbuf_init(&t, out, sizeof(out));
	if (!http_respond(&t, st, st == 200 ? &req : NULL, "m 1\n", 4))
		abort();
	return 0;
}
