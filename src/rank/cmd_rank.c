/* cmd_rank.c - `oomkit rank`: the processes by OOM badness, beside the
 * kernel's own /proc/PID/oom_score; human table (100 columns), --json
 * (doc/json-rank.md) or the kernel's dump_tasks table (doc/rank.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "core/json.h"
#include "core/k8s.h"
#include "core/mem.h"
#include "rank.h"
#include "core/report.h"
#include "core/scan.h"
#include "core/scene.h"
#include "core/util.h"

#define RANK_TOP_DEFAULT 20

struct rank_opts {
	size_t top;          /* 0 = all */
	bool top_given;
	const char *cgroup;
	const char *proc_root;
	bool json, kernel_format;
	unsigned int scanner_flags;  /* --scanner procfs: PROC_SCANNER_NO_BPF */
	bool need_bpf;               /* --scanner bpf */
};

static void rank_usage(FILE *f)
{
	fprintf(f,
		"usage: oomkit rank [--top N | --all] [--cgroup PATH] [--json | --kernel-format]\n"
		"                   [--proc-root DIR]\n"
		"Ranks processes by the kernel's OOM badness (oom_badness, 5.9+), highest first,\n"
		"beside the kernel's own /proc/PID/oom_score; marks the next victim and the\n"
		"unkillable (and why).\n\n"
		"  --top N          show the N highest (default %d; --json: all)\n"
		"  --all            show every process\n"
		"  --cgroup PATH    rank as for an OOM of this memory cgroup (v1 or v2; absolute,\n"
		"                   or relative to the memory controller's root)\n"
		"  --json           one JSON object {\"processes\": [...]} (doc/json-rank.md)\n"
		"  --kernel-format  the kernel's dump_tasks table (memory values in pages)\n"
		"  --proc-root DIR  read DIR instead of /proc (tests)\n"
		"  --scanner M      auto (default), bpf or procfs: how processes are scanned\n"
		"Exit: 0 ok, 2 bad option, 3 bad cgroup, 4 /proc unreadable, 1 other error.\n",
		RANK_TOP_DEFAULT);
}

static int parse_opts(int argc, char **argv, struct rank_opts *o)
{
	static const struct option longopts[] = {
		{ "top", required_argument, NULL, 't' },    { "all", no_argument, NULL, 'a' },
		{ "cgroup", required_argument, NULL, 'c' }, { "json", no_argument, NULL, 'j' },
		{ "kernel-format", no_argument, NULL, 'k' }, { "proc-root", required_argument, NULL, 'p' },
		{ "scanner", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, n;

	*o = (struct rank_opts){ .top = RANK_TOP_DEFAULT, .proc_root = "/proc" };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+n:ac:jkh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
		case 'n':
			if (parse_int(optarg, &n) < 0 || n <= 0) {
				fprintf(stderr, "oomkit rank: --top wants a positive number, not '%s'\n", optarg);
				return -EINVAL;
			}
			o->top = (size_t)n;
			o->top_given = true;
			break;
		case 'a': o->top = 0; o->top_given = true; break;
		case 'c': o->cgroup = optarg; break;
		case 'j': o->json = true; break;
		case 'k': o->kernel_format = true; break;
		case 'p': o->proc_root = optarg; break;
		case 's':
			if (!strcmp(optarg, "procfs")) {
				o->scanner_flags = PROC_SCANNER_NO_BPF;
			} else if (!strcmp(optarg, "bpf")) {
				o->need_bpf = true;
			} else if (strcmp(optarg, "auto")) {
				fprintf(stderr, "oomkit rank: --scanner wants auto, bpf or procfs, not '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'h': rank_usage(stdout); return 1;
		default:
			fprintf(stderr, "oomkit rank: unknown or incomplete option '%s' (see --help)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "oomkit rank: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -EINVAL;
	}
	if (o->json && o->kernel_format) {
		fprintf(stderr, "oomkit rank: --json and --kernel-format exclude each other\n");
		return -EINVAL;
	}
	if (o->json && !o->top_given)
		o->top = 0;
	return 0;
}

/* kB as a 5-column human size: 512K 9.5M 123M 1.2G 24G. */
static const char *human_kb(unsigned long kb, char *buf, size_t size)
{
	if (kb < 1024)
		snprintf(buf, size, "%luK", kb);
	else if (kb < 10 * 1024)
		snprintf(buf, size, "%.1fM", kb / 1024.0);
	else if (kb < 1024 * 1024)
		snprintf(buf, size, "%luM", kb / 1024);
	else if (kb < 10 * 1024 * 1024)
		snprintf(buf, size, "%.1fG", kb / (1024.0 * 1024));
	else
		snprintf(buf, size, "%luG", kb / (1024 * 1024));
	return buf;
}

static size_t shown(const struct rank *r, const struct rank_opts *o)
{
	return o->top && o->top < r->nr ? o->top : r->nr;
}

static void print_header(const struct oom_control *oc, const struct rank *r)
{
	char comm[TASK_COMM_MAX * 4];

	if (oc->constraint == CONSTRAINT_MEMCG)
		printf("memory cgroup OOM of %s: totalpages %lu (limit + swap, %lu KiB pages)\n",
		       text_escape(oc->memcg, comm, 60), oc->totalpages, oc->page_size / 1024);
	else
		printf("global OOM: totalpages %lu (RAM + swap, %lu KiB pages)\n", oc->totalpages,
		       oc->page_size / 1024);
	printf("%zu processes (%s scan); next victim: ", r->nr_scanned, r->scanner);
	if (r->victim)
		printf("pid %d (%s), %ld points\n", (int)r->victim->t->pid,
		       text_escape(r->victim->t->comm, comm, 40), r->victim->points);
	else
		printf("none\n");
}

static void print_row(const struct rank_row *row, const struct oom_control *oc)
{
	char comm[TASK_COMM_MAX * 4], rss[16], swap[16], pte[16], points[24], kern[24], share[16], pod[48];
	const struct task_info *t = row->t;
	const char *note = row->victim ? "<- victim" : row->unkillable;
	struct k8s_pod k8s;

	text_escape(t->comm, comm, 16);
	snprintf(points, sizeof(points), row->unkillable ? "-" : "%ld", row->points);
	snprintf(kern, sizeof(kern), t->kernel_oom_score < 0 ? "?" : "%ld", t->kernel_oom_score);
	snprintf(share, sizeof(share), "%.1f%%", 100.0 * (double)row->mem_pages / (double)oc->totalpages);
	k8s_decode(t->memcg, &k8s);
	k8s_short(&k8s, pod, sizeof(pod));
	printf("%7d %5u %-15s %5s %5s %5s %5d %8s %5lu %5s %5s%s%s%s%s\n", (int)t->pid, (unsigned)t->uid, comm,
	       human_kb(task_rss_kb(t), rss, sizeof(rss)), human_kb(t->swap_kb, swap, sizeof(swap)),
	       human_kb(t->pgtables_kb, pte, sizeof(pte)), t->oom_score_adj, points, row->score, kern, share,
	       note ? " " : "", note ? note : "", pod[0] ? " " : "", pod);
}

static void print_human(const struct oom_control *oc, const struct rank *r, const struct rank_opts *o)
{
	size_t n = shown(r, o);

	print_header(oc, r);
	printf("    PID   UID NAME              RSS  SWAP PGTBL   ADJ   POINTS SCORE  KERN SHARE NOTE\n");
	for (size_t i = 0; i < n; i++)
		print_row(&r->rows[i], oc);
	if (n < r->nr_scanned)
		printf("(%zu more; --all shows every process, the unkillable last)\n", r->nr_scanned - n);
}

static void json_row(struct json *j, const struct rank_row *row, const struct oom_control *oc)
{
	const struct task_info *t = row->t;
	char state[2] = { t->state, '\0' };

	json_begin_object(j);
	json_kv_int(j, "pid", t->pid);
	json_kv_int(j, "ppid", t->ppid);
	json_kv_string(j, "comm", t->comm);
	json_kv_uint(j, "uid", t->uid);
	json_kv_string(j, "state", state);
	json_kv_uint(j, "start_time", t->start_time);
	json_kv_uint(j, "rss_kb", task_rss_kb(t));
	json_kv_uint(j, "rss_pages", t->rss_pages);
	json_kv_uint(j, "rss_anon_kb", t->rss_anon_kb);
	json_kv_uint(j, "rss_file_kb", t->rss_file_kb);
	json_kv_uint(j, "rss_shmem_kb", t->rss_shmem_kb);
	json_kv_uint(j, "swap_kb", t->swap_kb);
	json_kv_uint(j, "pgtables_kb", t->pgtables_kb);
	json_kv_uint(j, "total_vm_kb", t->total_vm_kb);
	json_kv_int(j, "oom_score_adj", t->oom_score_adj);
	if (row->points == OOM_BADNESS_UNKILLABLE)
		json_kv_null(j, "points");
	else
		json_kv_int(j, "points", row->points);
	json_kv_uint(j, "score", row->score);
	if (t->kernel_oom_score < 0)
		json_kv_null(j, "kernel_oom_score");
	else
		json_kv_int(j, "kernel_oom_score", t->kernel_oom_score);
	json_kv_double(j, "share", (double)row->mem_pages / (double)oc->totalpages);
	json_kv_bool(j, "killable", !row->unkillable);
	json_kv_string(j, "unkillable_reason", row->unkillable);
	json_kv_bool(j, "victim", row->victim);
	k8s_json_memcg(j, t->memcg);
	json_kv_string(j, "cmdline", t->cmdline);
	json_kv_string(j, "exe", t->exe);
	json_end_object(j);
}

static void print_json(const struct oom_control *oc, const struct rank *r, const struct rank_opts *o)
{
	struct json j;
	size_t n = shown(r, o);

	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_uint(&j, "totalpages", oc->totalpages);
	json_kv_uint(&j, "page_size", oc->page_size);
	json_kv_string(&j, "constraint", oom_constraint_name(oc->constraint));
	json_kv_string(&j, "memcg", oc->constraint == CONSTRAINT_MEMCG ? oc->memcg : NULL);
	json_kv_string(&j, "scanner", r->scanner);
	json_kv_uint(&j, "nr_processes", r->nr_scanned);
	json_kv_uint(&j, "nr_killable", r->nr_killable);
	if (r->victim)
		json_kv_int(&j, "victim_pid", r->victim->t->pid);
	else
		json_kv_null(&j, "victim_pid");
	json_key(&j, "processes");
	json_begin_array(&j);
	for (size_t i = 0; i < n; i++)
		json_row(&j, &r->rows[i], oc);
	json_end_array(&j);
	json_end_object(&j);
	fputc('\n', stdout);
}

/* dump_tasks() of 6.8+: every task with an mm that is not init or a kernel
 * thread (adj -1000 included), in task-list order, values in pages. rss is
 * the kernel's approximate counter (stat); the split comes from status,
 * exact since 6.16, so it may differ from the kernel's by the per-CPU
 * batches (doc/rank.md). */
static void print_kernel_format(const struct oom_control *oc, struct rank *r)
{
	char row[1024];

	rank_sort_task_list(r);
	printf("%s\n%s\n", DUMP_TASKS_TITLE, DUMP_TASKS_HEADER);
	for (size_t i = 0; i < r->nr; i++) {
		const struct task_info *t = r->rows[i].t;

		if (t->pid == 1 || t->kthread || !t->has_mm)
			continue;
		printf("%s\n", dump_task_row(t, oc->page_size, row, sizeof(row)));
	}
}

/* The OOM scene: global, or the memory cgroup given. Prints its own error. */
static int scene_or_error(struct oom_control *oc, const struct rank_opts *o, const struct meminfo *mi)
{
	int r = rank_scene(oc, o->proc_root, o->cgroup, mi, oom_page_size());

	if (r < 0) {
		fprintf(stderr, "oomkit rank: --cgroup %s: %s\n", o->cgroup,
			r == -ENOTDIR ? "not a memory cgroup" : strerror(-r));
		return EXIT_BAD_CGROUP;
	}
	return 0;
}

/* One scan: the top rows read in full (all for --all, --json, --kernel-format). */
static int rank_scan(const struct rank_opts *o, const struct oom_control *oc, struct proc_snapshot *snap,
		     const char **method)
{
	struct proc_scanner sc;
	struct proc_scan_opts so = {
		.top = o->kernel_format ? 0 : o->top,
		.details = PROC_DETAIL_MEMCG | PROC_DETAIL_OOM_SCORE |
			   (o->json ? PROC_DETAIL_CMDLINE | PROC_DETAIL_EXE : 0),
		.totalpages = oc->totalpages,
		.page_size = oc->page_size,
		.memcg_dir = oc->constraint == CONSTRAINT_MEMCG ? oc->memcg_dir : NULL,
	};
	int r = proc_scanner_init(&sc, o->proc_root,
				  o->scanner_flags | (o->need_bpf ? 0 : PROC_SCANNER_ONE_SHOT));

	if (r < 0)
		return r;
	if (o->need_bpf && strcmp(proc_scanner_method(&sc), "bpf")) {
		proc_scanner_free(&sc);
		return -EOPNOTSUPP;
	}
	r = proc_scanner_scan(&sc, &so, snap);
	*method = proc_scanner_method(&sc);
	proc_scanner_free(&sc);
	return r;
}

static int rank_run(const struct rank_opts *o)
{
	const char *method = "";
	struct proc_snapshot snap = { 0 };
	struct oom_control oc;
	struct meminfo mi;
	struct rank r;
	int e;

	e = meminfo_read(o->proc_root, &mi);
	if (e < 0) {
		fprintf(stderr, "oomkit rank: %s/meminfo: %s\n", o->proc_root, strerror(-e));
		return EXIT_NO_PROC;
	}
	e = scene_or_error(&oc, o, &mi);
	if (e)
		return e;
	e = rank_scan(o, &oc, &snap, &method);
	if (e < 0) {
		if (e == -EOPNOTSUPP)
			fprintf(stderr, "oomkit rank: --scanner bpf: the BPF task iterator cannot be loaded "
					"(needs root, kernel BTF, kernel >= 6.2, libbpf)\n");
		else
			fprintf(stderr, "oomkit rank: %s: %s\n", o->proc_root, strerror(-e));
		proc_snapshot_free(&snap);
		return e == -ENOMEM || e == -EOPNOTSUPP ? EXIT_FAILURE_GENERIC : EXIT_NO_PROC;
	}
	if (rank_build(&r, &oc, &snap) < 0) {
		fprintf(stderr, "oomkit rank: out of memory\n");
		proc_snapshot_free(&snap);
		return EXIT_FAILURE_GENERIC;
	}
	r.nr_scanned = snap.nr_scanned;
	r.scanner = method;
	if (o->json)
		print_json(&oc, &r, o);
	else if (o->kernel_format)
		print_kernel_format(&oc, &r);
	else
		print_human(&oc, &r, o);
	rank_free(&r);
	proc_snapshot_free(&snap);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILURE_GENERIC;
}

int cmd_rank(int argc, char **argv)
{
	struct rank_opts o;
	int r = parse_opts(argc, argv, &o);

	if (r)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	return rank_run(&o);
}
