/* cmd_explain.c - `oomkit explain [--json|--jsonl] [--follow] [FILE...]`:
 * reads kernel OOM reports from files, stdin ("-") or, with no FILE, the
 * kernel's log buffer (/dev/kmsg, non-blocking like dmesg), and tells what
 * happened. Exit codes: 0 events found, 5 unreadable or binary input,
 * 9 no OOM event, 2 usage (exitcode.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "core/json.h"
#include "exitcode.h"
#include "explain.h"
#include "core/util.h"
#include "read.h"

#define SUMMARY_MAX 10000

enum format { F_TEXT, F_JSON, F_JSONL };

struct out {
	enum format format;
	struct json j;
	size_t n;
	char **summary; /* one line per event for the closing list (text) */
};

static void on_event(const struct kr_event *ev, void *arg)
{
	struct out *o = arg;
	struct explain_rank r;

	explain_rank(ev, &r);
	if (o->format == F_TEXT) {
		char line[512];

		explain_text_event(stdout, ev, &r, o->n);
		explain_text_line(line, sizeof(line), ev);
		if (o->n < SUMMARY_MAX)
			o->summary[o->n] = strdup(line);
	} else {
		if (o->format == F_JSONL)
			json_init(&o->j, stdout);
		explain_json_event(&o->j, ev, &r); /* the writer ends a top-level object with '\n' */
	}
	o->n++;
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: oomkit explain [--json | --jsonl] [--follow] [FILE...]\n"
		   "  Reads kernel OOM reports (dmesg, syslog, kern.log, journalctl, also -o json)\n"
		   "  and tells who was allocating, who was killed, why, and whether the kernel's\n"
		   "  choice follows from its own task table. FILE '-' is stdin; no FILE reads the\n"
		   "  kernel log buffer (/dev/kmsg).\n"
		   "  --json     one object {\"schema\": 1, \"events\": [...]}\n"
		   "  --jsonl    one event object per line\n"
		   "  --follow   keep reading, explain each new OOM as it is printed\n"
		   "exit: 0 events found, 5 unreadable or binary input, 9 no OOM event, 2 usage\n");
}

/* What a paste had done to the input and was undone, said once per input. */
static void paste_notes(const char *name, const struct kr_read_stats *st)
{
	char esc[sizeof(st->prefix) * 4 + 1];

	if (st->garbage_bytes)
		fprintf(stderr, "oomkit explain: %s: %lld byte(s) of binary data skipped (before the text, or before a line's prefix)\n",
			name, (long long)st->garbage_bytes);
	if (st->quoted_printable)
		fprintf(stderr, "oomkit explain: %s: read as quoted-printable (=3D and soft line breaks decoded)\n", name);
	if (st->cr_breaks)
		fprintf(stderr, "oomkit explain: %s: %lld bare CR line end(s) read as newlines\n", name,
			(long long)st->cr_breaks);
	if (st->joined_lines)
		fprintf(stderr, "oomkit explain: %s: %lld wrapped line(s) joined to the line before\n", name,
			(long long)st->joined_lines);
	if (st->pager_cut_lines)
		fprintf(stderr, "oomkit explain: %s: %lld line(s) cut by a pager (ending in ... or \u2026): the value at the cut is not read\n",
			name, (long long)st->pager_cut_lines);
	if (st->prefix[0])
		fprintf(stderr, "oomkit explain: %s: lines start with \"%s\", no known log format: learned from the lines and taken off\n",
			name, text_escape(st->prefix, esc, sizeof(esc)));
}

/* Returns 0 or an exit code after reporting the problem once. */
static int explain_fd(int fd, const char *name, bool kmsg, bool follow, struct out *o)
{
	struct kr_read_stats st = { 0 };
	struct kr_parser *p = kr_parser_new(on_event, o);
	int r;

	if (!p) {
		fprintf(stderr, "oomkit explain: %s: out of memory\n", name);
		return EXIT_FAILURE_GENERIC;
	}
	r = kmsg ? kr_read_kmsg(fd, p, &st, follow) : kr_read_stream(fd, p, &st, follow);
	kr_parser_free(p);
	if (r < 0) {
		fprintf(stderr, "oomkit explain: %s: %s\n", name, strerror(-r));
		return EXIT_BAD_INPUT;
	}
	if (st.not_text) {
		fprintf(stderr, "oomkit explain: %s: not a text log (over 5%% control bytes in the first 4 KiB); expected dmesg, syslog or journalctl output\n",
			name);
		return EXIT_BAD_INPUT;
	}
	if (st.long_lines)
		fprintf(stderr, "oomkit explain: %s: %lld line(s) longer than %u bytes: only their first 4 KiB were read\n",
			name, (long long)st.long_lines, KR_READ_BUF);
	if (st.binary_lines)
		fprintf(stderr, "oomkit explain: %s:%lld: %lld line(s) hold NUL bytes (read as spaces)\n", name,
			(long long)st.first_bad_line, (long long)st.binary_lines);
	paste_notes(name, &st);
	return 0;
}

static int open_input(const char *name, bool *kmsg)
{
	int fd;

	*kmsg = false;
	if (!name) {
		*kmsg = true;
		return open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	}
	if (!strcmp(name, "-"))
		return dup(STDIN_FILENO);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	return fd;
}

static void print_summary(struct out *o)
{
	if (o->format != F_TEXT || o->n < 2)
		return;
	printf("%zu OOM events:\n", o->n);
	for (size_t i = 0; i < o->n && i < SUMMARY_MAX; i++)
		printf("  %3zu. %s\n", i + 1, o->summary[i] ? o->summary[i] : "?");
	if (o->n > SUMMARY_MAX)
		printf("  ... and %zu more\n", o->n - SUMMARY_MAX);
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "jsonl", no_argument, NULL, 'l' },
		{ "follow", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	struct out o = { .format = F_TEXT };
	bool follow = false;
	int c, rc = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jlfh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': o.format = F_JSON; break;
		case 'l': o.format = F_JSONL; break;
		case 'f': follow = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: cli_getopt_error("explain", c, argv); return EXIT_USAGE;
		}
	}
	if (follow && argc - optind > 1) {
		cli_error("explain", "--follow reads one input");
		return EXIT_USAGE;
	}
	if (follow && o.format == F_JSON) { /* one object would never be closed */
		cli_error("explain", "--follow prints --jsonl or text, not --json");
		return EXIT_USAGE;
	}
	o.summary = calloc(SUMMARY_MAX, sizeof(char *));
	if (!o.summary)
		return EXIT_FAILURE_GENERIC;
	if (o.format == F_JSON) {
		json_init(&o.j, stdout);
		json_begin_document(&o.j, EXPLAIN_JSON_SCHEMA);
		json_key(&o.j, "events");
		json_begin_array(&o.j);
	}
	for (int i = optind; i < argc || (i == optind && optind == argc); i++) {
		const char *name = i < argc ? argv[i] : NULL;
		bool kmsg;
		int fd = open_input(name, &kmsg);

		if (fd < 0) {
			fprintf(stderr, "oomkit explain: %s: %s\n", name ? name : "/dev/kmsg", strerror(errno));
			rc = EXIT_BAD_INPUT;
			continue;
		}
		int r = explain_fd(fd, name ? name : "/dev/kmsg", kmsg, follow, &o);

		close(fd);
		if (r)
			rc = r;
	}
	if (o.format == F_JSON) {
		json_end_array(&o.j);
		json_end_object(&o.j);
	}
	print_summary(&o);
	for (size_t i = 0; i < o.n && i < SUMMARY_MAX; i++)
		free(o.summary[i]);
	free(o.summary);
	if (!rc && !o.n) {
		fprintf(stderr, "oomkit explain: no OOM event found\n");
		rc = EXIT_NO_EVENTS;
	}
	return rc;
}
