/* fuzz_explain.c - libFuzzer target for the explain parser: the input is a
 * log (any bytes); every line goes through the wrapping stripper, the
 * journal-JSON and /dev/kmsg decoders and the event assembler, and every
 * event through the re-ranking and the JSON and text outputs. Built by
 * `make fuzz-explain` (mk/explain.mk); run by tests/e2e/explain_fuzz.sh. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "explain/explain.h"
#include "explain/parse.h"
#include "explain/parse_prefix.h"
#include "explain/read.h"

static FILE *sink;

static void on_event(const struct kr_event *ev, void *arg)
{
	struct explain_rank r;
	struct json j;
	char line[512];

	(void)arg;
	explain_rank(ev, &r);
	json_init(&j, sink);
	explain_json_event(&j, ev, &r);
	explain_text_event(sink, ev, &r, 0);
	explain_text_line(line, sizeof(line), ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct kr_parser *parser;
	static char msg[8192];
	int64_t n = 0;

	if (!sink)
		sink = fopen("/dev/null", "w");
	parser = kr_parser_new(on_event, NULL);
	if (!parser)
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct kr_prefix px;

		kr_feed_raw_line(parser, p, len, ++n);
		kr_kmsg_record(p, len, msg, sizeof(msg), &px);
		p += len + (nl != NULL);
	}
	kr_parser_flush(parser);
	kr_parser_free(parser);
	return 0;
}
