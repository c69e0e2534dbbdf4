/* scan_bpf.c - loads and runs the BPF task iterator (see scan_bpf.h). */
#include "scan_bpf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
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
	int bss_fd;            /* the programs' .bss map: struct oom_iter_bss */
	int top_fd;            /* oom_top, -1 when the kernel refused it (< 6.7) */
};

/* Exchange buffer for the .bss (26 KiB: static, so that scans allocate nothing). */
static struct oom_iter_bss bss;

static int find_bss(struct oom_iter *it)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, it->obj) {
		const char *name = bpf_map__name(m);
		size_t len = strlen(name);

		if (len >= 4 && !strcmp(name + len - 4, ".bss") &&
		    bpf_map__value_size(m) == sizeof(struct oom_iter_bss)) {
			it->bss_fd = bpf_map__fd(m);
			return 0;
		}
	}
	return -ENOENT;
}

/* Opens and loads the object; with_top false leaves oom_top out (kernels
 * without the open-coded task iterator reject it, and with it the object). */
static int load(struct oom_iter *it, bool with_top)
{
	struct bpf_program *top;

	it->obj = bpf_object__open_mem(oom_iter_bpf_o, sizeof(oom_iter_bpf_o), NULL);
	if (!it->obj)
		return -errno;
	top = bpf_object__find_program_by_name(it->obj, "oom_top");
	if (top && !with_top)
		bpf_program__set_autoload(top, false);
	if (bpf_object__load(it->obj) < 0) {
		int e = -errno;

		bpf_object__close(it->obj);
		it->obj = NULL;
		return e < 0 ? e : -EINVAL;
	}
	it->top_fd = with_top && top ? bpf_program__fd(top) : -1;
	return 0;
}

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
	r = load(it, true);
	if (r < 0)
		r = load(it, false);
	prog = r == 0 ? bpf_object__find_program_by_name(it->obj, "oom_iter") : NULL;
	if (r == 0 && !prog)
		r = -ENOENT;
	if (r == 0)
		r = find_bss(it);
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

int oom_iter_set(struct oom_iter *it, const struct oom_iter_ctl *ctl)
{
	const int zero = 0;

	bss.ctl = *ctl;
	bss.nr_cand = 0;
	bss.overflow = 0;
	return bpf_map_update_elem(it->bss_fd, &zero, &bss, BPF_ANY) < 0 ? -errno : 0;
}

int oom_iter_get(struct oom_iter *it, struct oom_iter_ctl *ctl)
{
	const int zero = 0;

	if (bpf_map_lookup_elem(it->bss_fd, &zero, &bss) < 0)
		return -errno;
	*ctl = bss.ctl;
	return 0;
}

ssize_t oom_iter_run_top(struct oom_iter *it, const struct oom_iter_ctl *ctl, oom_iter_fn fn, void *arg,
			 size_t *nr_seen)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct oom_iter_ctl back;
	int r;

	if (it->top_fd < 0 || !ctl->top)
		return -EOPNOTSUPP;
	r = oom_iter_set(it, ctl);
	if (r == 0 && bpf_prog_test_run_opts(it->top_fd, &opts) < 0)
		r = -errno;
	if (r == 0)
		r = oom_iter_get(it, &back);
	if (r < 0)
		return r;
	if (bss.overflow)
		return -EOVERFLOW;
	*nr_seen = back.nr_seen;
	for (unsigned int i = 0; i < bss.nr_cand && i < OOM_ITER_CAND_MAX; i++)
		fn(&bss.cand[i], arg);
	return bss.nr_cand;
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

int oom_iter_set(struct oom_iter *it, const struct oom_iter_ctl *ctl)
{
	(void)it, (void)ctl;
	return -EOPNOTSUPP;
}

int oom_iter_get(struct oom_iter *it, struct oom_iter_ctl *ctl)
{
	(void)it, (void)ctl;
	return -EOPNOTSUPP;
}

ssize_t oom_iter_run_top(struct oom_iter *it, const struct oom_iter_ctl *ctl, oom_iter_fn fn, void *arg,
			 size_t *nr_seen)
{
	(void)it, (void)ctl, (void)fn, (void)arg, (void)nr_seen;
	return -EOPNOTSUPP;
}

void oom_iter_close(struct oom_iter *it)
{
	(void)it;
}

#endif
