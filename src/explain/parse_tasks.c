/* parse_tasks.c - dump_tasks(): the task table in every column layout
 * (parse_tasks.h). The header names the columns ("[  pid  ]   uid  tgid
 * total_vm      rss ... name"); rows are read by them, pages as printed. */
#include "parse_tasks.h"

#include <stdlib.h>
#include <string.h>

enum col { C_PID, C_UID, C_TGID, C_TOTAL_VM, C_RSS, C_RSS_ANON, C_RSS_FILE, C_RSS_SHMEM, C_PGTABLES_BYTES,
	   C_NR_PTES, C_NR_PMDS, C_SWAPENTS, C_OOM_SCORE_ADJ, C_OOM_ADJ, C_CPU, C_UNKNOWN };

static const char *const col_names[] = {
	[C_PID] = "pid", [C_UID] = "uid", [C_TGID] = "tgid", [C_TOTAL_VM] = "total_vm", [C_RSS] = "rss",
	[C_RSS_ANON] = "rss_anon", [C_RSS_FILE] = "rss_file", [C_RSS_SHMEM] = "rss_shmem",
	[C_PGTABLES_BYTES] = "pgtables_bytes", [C_NR_PTES] = "nr_ptes", [C_NR_PMDS] = "nr_pmds",
	[C_SWAPENTS] = "swapents", [C_OOM_SCORE_ADJ] = "oom_score_adj", [C_OOM_ADJ] = "oom_adj", [C_CPU] = "cpu",
};

bool kr_task_header(struct kr_event *ev, const char *m)
{
	const char *p = kr_skip_sp(m), *close;
	int n = 1;

	/* a header cut before " name" (a pager) still names its first columns */
	if (*p != '[' || !(close = strchr(p, ']')) || !strstr(p, " pid ") ||
	    (!strstr(close, " name") && !strstr(close, " rss ")))
		return false;
	ev->cols[0] = C_PID;
	for (p = close + 1; *(p = kr_skip_sp(p)) && n < 16;) {
		size_t len = strcspn(p, " ");
		int c = C_UNKNOWN;

		if (len == 4 && !memcmp(p, "name", 4))
			break;
		for (int i = 0; i < C_UNKNOWN; i++)
			if (len == strlen(col_names[i]) && !memcmp(p, col_names[i], len))
				c = i;
		ev->cols[n++] = (unsigned char)c;
		p += len;
	}
	ev->ncols = n;
	kr_copy(ev->task_columns, sizeof(ev->task_columns), kr_skip_sp(close + 1), strlen(kr_skip_sp(close + 1)));
	return true;
}

static bool task_add(struct kr_event *ev, const struct kr_task *t);

static void task_set(struct kr_task *t, int col, int64_t v)
{
	int64_t *f[] = { [C_PID] = &t->pid, [C_UID] = &t->uid, [C_TGID] = &t->tgid, [C_TOTAL_VM] = &t->total_vm,
			 [C_RSS] = &t->rss, [C_RSS_ANON] = &t->rss_anon, [C_RSS_FILE] = &t->rss_file,
			 [C_RSS_SHMEM] = &t->rss_shmem, [C_PGTABLES_BYTES] = &t->pgtables_bytes,
			 [C_NR_PTES] = &t->nr_ptes, [C_NR_PMDS] = &t->nr_pmds, [C_SWAPENTS] = &t->swapents,
			 [C_OOM_SCORE_ADJ] = &t->oom_score_adj, [C_OOM_ADJ] = &t->oom_adj, [C_CPU] = &t->cpu };

	if (col < C_UNKNOWN)
		*f[col] = v;
}

bool kr_task_row(struct kr_event *ev, const char *m)
{
	const char *p = kr_skip_sp(m), *e;
	struct kr_task t;
	int64_t v;

	if (!ev->ncols || *p != '[' || !kr_num(kr_skip_sp(p + 1), &v, &e) || *(e = kr_skip_sp(e)) != ']')
		return false;
	for (int64_t *f = &t.pid; f <= &t.cpu; f++)
		*f = KR_UNSET;
	t.pid = v;
	p = e + 1;
	for (int c = 1; c < ev->ncols; c++) {
		if (!*kr_skip_sp(p) && c > C_RSS) { /* cut after its rss: a row, its name unread */
			t.comm[0] = '\0';
			return task_add(ev, &t);
		}
		if (!kr_num(kr_skip_sp(p), &v, &e) || (*e != ' ' && (*e || c <= C_RSS)))
			return false;
		task_set(&t, ev->cols[c], v);
		p = e;
	}
	kr_copy(t.comm, sizeof(t.comm), *p ? p + 1 : p, strlen(*p ? p + 1 : p));
	return task_add(ev, &t);
}

/* Rows printed without their header: the columns every era starts with
 * (uid tgid total_vm rss) are read, then numbers up to the name; what the
 * others are is not known. */
bool kr_task_row_bare(struct kr_event *ev, const char *m)
{
	const char *p = kr_skip_sp(m), *e;
	struct kr_task t;
	int64_t v;
	int n = 0;

	if (*p != '[' || !kr_num(kr_skip_sp(p + 1), &v, &e) || *(e = kr_skip_sp(e)) != ']')
		return false;
	for (int64_t *f = &t.pid; f <= &t.cpu; f++)
		*f = KR_UNSET;
	t.pid = v;
	for (p = e + 1; kr_num(kr_skip_sp(p), &v, &e) && *e == ' '; p = e, n++)
		if (n < 4)
			task_set(&t, C_UID + n, v);
	if (n < 6) /* every era prints at least six numbers after the pid */
		return false;
	p = kr_skip_sp(p);
	kr_copy(t.comm, sizeof(t.comm), p, strlen(p));
	if (!ev->nr_tasks)
		kr_note(ev, "the task table has no header: only pid, uid, tgid, total_vm and rss are read");
	return task_add(ev, &t);
}

static bool task_add(struct kr_event *ev, const struct kr_task *t)
{
	if (ev->nr_tasks >= KR_MAX_TASKS) {
		ev->tasks_dropped++;
		return true;
	}
	if (ev->nr_tasks == ev->cap_tasks && ev->tasks_fixed) {
		ev->tasks_dropped++;
		return true;
	}
	if (ev->nr_tasks == ev->cap_tasks) {
		size_t cap = ev->cap_tasks ? ev->cap_tasks * 2 : 64;
		struct kr_task *n = realloc(ev->tasks, cap * sizeof(*n));

		if (!n) {
			ev->tasks_dropped++;
			return true;
		}
		ev->tasks = n;
		ev->cap_tasks = cap;
	}
	ev->tasks[ev->nr_tasks++] = *t;
	return true;
}
