/* scan_bpf.c - loads and runs the BPF task iterator (see scan_bpf.h). */
#include "scan_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBBPF
#include <dlfcn.h>
#include <malloc.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>
#include <bpf/libbpf_version.h>

#include "oom_iter.bpf.h"

/* libbpf (with libelf and zlib behind it, 0.5 MiB resident) only loads the
 * program: it is opened with dlopen() for oom_iter_open() and closed again
 * once the program runs, the kernel objects kept by our own descriptors.
 * What scans do afterwards is four bpf(2) commands, made here directly. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define LIBBPF_SONAME "libbpf.so." STR(LIBBPF_MAJOR_VERSION)
#define LIBBPF_FUNCS(X)                                                                   \
	X(libbpf_set_print) X(bpf_object__open_mem) X(bpf_object__find_program_by_name)   \
	X(bpf_program__set_autoload) X(bpf_object__load) X(bpf_object__close)              \
	X(bpf_program__fd) X(bpf_object__next_map) X(bpf_map__name) X(bpf_map__value_size) \
	X(bpf_map__fd) X(bpf_program__attach_iter) X(bpf_link__fd) X(bpf_link__destroy)
struct libbpf_fns {
#define LIBBPF_FIELD(f) __typeof__(f) *f;
	LIBBPF_FUNCS(LIBBPF_FIELD)
#undef LIBBPF_FIELD
};

struct oom_iter {
	int link_fd;           /* the oom_iter program attached as an iterator */
	int bss_fd;            /* the programs' .bss map: struct oom_iter_bss */
	int top_fd;            /* oom_top, -1 when the kernel refused it (< 6.7) */
};

/* Exchange buffer for the .bss (26 KiB: static, so that scans allocate nothing). */
static struct oom_iter_bss bss;

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int load_libbpf(void **h, struct libbpf_fns *f)
{
	*h = dlopen(LIBBPF_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!*h)
		return -EOPNOTSUPP;
#define LIBBPF_SYM(fn)                                                   \
	if (!(f->fn = (__typeof__(fn) *)dlsym(*h, #fn))) {               \
		dlclose(*h);                                             \
		return -EOPNOTSUPP;                                      \
	}
	LIBBPF_FUNCS(LIBBPF_SYM)
#undef LIBBPF_SYM
	return 0;
}

static int find_bss(const struct libbpf_fns *f, struct bpf_object *obj)
{
	for (struct bpf_map *m = f->bpf_object__next_map(obj, NULL); m; m = f->bpf_object__next_map(obj, m)) {
		const char *name = f->bpf_map__name(m);
		size_t len = strlen(name);

		if (len >= 4 && !strcmp(name + len - 4, ".bss") &&
		    f->bpf_map__value_size(m) == sizeof(struct oom_iter_bss))
			return f->bpf_map__fd(m);
	}
	return -ENOENT;
}

/* Opens and loads the object; with_top false leaves oom_top out (kernels
 * without the open-coded task iterator reject it, and with it the object). */
static int load(const struct libbpf_fns *f, struct bpf_object **obj, bool with_top, int *top_fd)
{
	struct bpf_program *top;

	*obj = f->bpf_object__open_mem(oom_iter_bpf_o, sizeof(oom_iter_bpf_o), NULL);
	if (!*obj)
		return -errno;
	top = f->bpf_object__find_program_by_name(*obj, "oom_top");
	if (top && !with_top)
		f->bpf_program__set_autoload(top, false);
	if (f->bpf_object__load(*obj) < 0) {
		int e = -errno;

		f->bpf_object__close(*obj);
		*obj = NULL;
		return e < 0 ? e : -EINVAL;
	}
	*top_fd = with_top && top ? f->bpf_program__fd(top) : -1;
	return 0;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Loads the object, attaches oom_iter and keeps duplicates of the three
 * descriptors scans need; libbpf's own objects are freed. */
static int open_fds(const struct libbpf_fns *f, struct oom_iter *it)
{
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	int r, top_fd = -1, bss_fd = -1;

	f->libbpf_set_print(quiet);
	r = load(f, &obj, true, &top_fd);
	if (r < 0)
		r = load(f, &obj, false, &top_fd);
	prog = r == 0 ? f->bpf_object__find_program_by_name(obj, "oom_iter") : NULL;
	if (r == 0 && !prog)
		r = -ENOENT;
	if (r == 0 && (bss_fd = find_bss(f, obj)) < 0)
		r = bss_fd;
	if (r == 0 && !(link = f->bpf_program__attach_iter(prog, NULL)))
		r = -errno < 0 ? -errno : -EINVAL;
	if (r == 0) {
		it->link_fd = fcntl(f->bpf_link__fd(link), F_DUPFD_CLOEXEC, 0);
		it->bss_fd = fcntl(bss_fd, F_DUPFD_CLOEXEC, 0);
		it->top_fd = top_fd >= 0 ? fcntl(top_fd, F_DUPFD_CLOEXEC, 0) : -1;
		if (it->link_fd < 0 || it->bss_fd < 0 || (top_fd >= 0 && it->top_fd < 0))
			r = -errno;
	}
	if (link)
		f->bpf_link__destroy(link);
	if (obj)
		f->bpf_object__close(obj);
	return r;
}

int oom_iter_open(struct oom_iter **out)
{
	struct oom_iter *it = malloc(sizeof(*it));
	struct libbpf_fns f;
	void *h;
	int r;

	if (!it)
		return -ENOMEM;
	*it = (struct oom_iter){ .link_fd = -1, .bss_fd = -1, .top_fd = -1 };
	r = load_libbpf(&h, &f);
	if (r == 0) {
		r = open_fds(&f, it);
		dlclose(h);
		/* libbpf freed its working set (BTF, ELF: several MiB) into
		 * the heap: give the pages back before the scan tables are
		 * allocated over them, resident whether used or not */
		malloc_trim(0);
	}
	if (r < 0) {
		oom_iter_close(it);
		return r;
	}
	*out = it;
	return 0;
}

ssize_t oom_iter_run(struct oom_iter *it, char *buf, size_t size, oom_iter_fn fn, void *arg)
{
	union bpf_attr a;
	size_t have = 0, n = 0;
	ssize_t got;
	int fd;

	memset(&a, 0, sizeof(a));
	a.iter_create.link_fd = (__u32)it->link_fd;
	fd = sys_bpf(BPF_ITER_CREATE, &a);
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

static int bss_elem(struct oom_iter *it, int cmd)
{
	const int zero = 0;
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (__u32)it->bss_fd;
	a.key = (__u64)(uintptr_t)&zero;
	a.value = (__u64)(uintptr_t)&bss;
	a.flags = cmd == BPF_MAP_UPDATE_ELEM ? BPF_ANY : 0;
	return sys_bpf(cmd, &a) < 0 ? -errno : 0;
}

int oom_iter_set(struct oom_iter *it, const struct oom_iter_ctl *ctl)
{
	bss.ctl = *ctl;
	bss.nr_cand = 0;
	bss.overflow = 0;
	return bss_elem(it, BPF_MAP_UPDATE_ELEM);
}

int oom_iter_get(struct oom_iter *it, struct oom_iter_ctl *ctl)
{
	int r = bss_elem(it, BPF_MAP_LOOKUP_ELEM);

	if (r == 0)
		*ctl = bss.ctl;
	return r;
}

ssize_t oom_iter_run_top(struct oom_iter *it, const struct oom_iter_ctl *ctl, oom_iter_fn fn, void *arg,
			 size_t *nr_seen)
{
	struct oom_iter_ctl back = { 0 };
	union bpf_attr a;
	int r;

	if (it->top_fd < 0 || !ctl->top)
		return -EOPNOTSUPP;
	r = oom_iter_set(it, ctl);
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (__u32)it->top_fd;
	if (r == 0 && sys_bpf(BPF_PROG_TEST_RUN, &a) < 0)
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
	for (int i = 0, fds[] = { it->link_fd, it->bss_fd, it->top_fd }; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
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
