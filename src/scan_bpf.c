/* scan_bpf.c - loads and runs the BPF task iterator (see scan_bpf.h). */
#include "scan_bpf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "oom_iter.bpf.h"

struct oom_iter {
	struct bpf_object *obj;
	struct bpf_link *link;
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int oom_iter_open(struct oom_iter **out)
{
	struct oom_iter *it = calloc(1, sizeof(*it));
	struct bpf_program *prog;
	int r;

	if (!it)
		return -ENOMEM;
	libbpf_set_print(quiet);
	it->obj = bpf_object__open_mem(oom_iter_bpf_o, sizeof(oom_iter_bpf_o), NULL);
	r = it->obj ? 0 : -errno;
	if (r == 0)
		r = bpf_object__load(it->obj);
	prog = r == 0 ? bpf_object__find_program_by_name(it->obj, "oom_iter") : NULL;
	if (r == 0 && !prog)
		r = -ENOENT;
	if (r == 0) {
		it->link = bpf_program__attach_iter(prog, NULL);
		r = it->link ? 0 : -errno;
	}
	if (r < 0) {
		oom_iter_close(it);
		return r < 0 ? r : -EINVAL;
	}
	*out = it;
	return 0;
}

ssize_t oom_iter_run(struct oom_iter *it, char *buf, size_t size, oom_iter_fn fn, void *arg)
{
	int fd = bpf_iter_create(bpf_link__fd(it->link));
	size_t have = 0, n = 0;
	ssize_t got;

	if (fd < 0)
		return -errno;
	/* records may straddle read()s: keep the tail for the next one */
	while ((got = read(fd, buf + have, size - have)) > 0) {
		size_t off = 0;

		have += (size_t)got;
		for (; have - off >= sizeof(struct oom_iter_rec); off += sizeof(struct oom_iter_rec), n++) {
			struct oom_iter_rec r;

			memcpy(&r, buf + off, sizeof(r));
			fn(&r, arg);
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	got = got < 0 ? -errno : (ssize_t)n;
	close(fd);
	return got;
}

void oom_iter_close(struct oom_iter *it)
{
	if (!it)
		return;
	bpf_link__destroy(it->link);
	bpf_object__close(it->obj);
	free(it);
}

#else /* !HAVE_LIBBPF */

int oom_iter_open(struct oom_iter **out)
{
	*out = NULL;
	return -EOPNOTSUPP;
}

ssize_t oom_iter_run(struct oom_iter *it, char *buf, size_t size, oom_iter_fn fn, void *arg)
{
	(void)it, (void)buf, (void)size, (void)fn, (void)arg;
	return -EOPNOTSUPP;
}

void oom_iter_close(struct oom_iter *it)
{
	(void)it;
}

#endif
