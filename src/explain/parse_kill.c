/* parse_kill.c - the kill side of a report (parse_kill.h): "Kill
 * process ... score ... or sacrifice child", "Killed process" of every era,
 * shared-mm and memory.oom.group kills, oom_reaper, already exiting, no
 * killable processes, panics; and the user-space killers' kill lines
 * (earlyoom, systemd-oomd, oomd, lmkd), each an event of its own. */
#include "parse_kill.h"

#include <string.h>

/* "N (comm)" at p where comm may hold ") ": the comm ends at the last ')'
 * before `stop` (or the end). Returns the byte after ')' or NULL. */
static const char *pid_comm(const char *p, int64_t *pid, char *comm, size_t size, const char *stop)
{
	const char *e, *open, *close = NULL;

	if (!kr_num(p, pid, &e) || (*e != ' ' && *e != ','))
		return NULL;
	open = strchr(e, '(');
	if (!open)
		return NULL;
	for (const char *q = open + 1; *q && (!stop || q < stop); q++)
		if (*q == ')')
			close = q;
	if (!close)
		return NULL;
	kr_copy(comm, size, open + 1, (size_t)(close - open - 1));
	return close + 1;
}

/* A size after key, counted only with its "kB": a line cut inside the
 * number ("total-vm:1767") gives none, not a smaller one. */
static int64_t after_kb(const char *m, const char *key)
{
	const char *p = strstr(m, key), *e;
	int64_t v;

	if (!p || !kr_num(p + strlen(key), &v, &e) || strncmp(e, "kB", 2))
		return KR_UNSET;
	return v;
}

static void kill_message(char *dst, size_t size, const char *m, const char *at)
{
	const char *e = at;

	while (e > m && (e[-1] == ' ' || e[-1] == ':'))
		e--;
	kr_copy(dst, size, kr_skip_sp(m), e > m ? (size_t)(e - kr_skip_sp(m)) : 0);
}

bool kr_select_line(struct kr_event *ev, const char *m)
{
	const char *k = strstr(m, "Kill process "), *sc;

	if (!k)
		k = strstr(m, "kill process ");
	if (!k || !(sc = strstr(k, " score ")) || strstr(m, "sharing same memory") ||
	    !pid_comm(k + 13, &ev->select_pid, ev->select_comm, sizeof(ev->select_comm), sc))
		return false;
	ev->select_score = kr_after(sc, " score ");
	kill_message(ev->victim.message, sizeof(ev->victim.message), m, k);
	if (strstr(m, "(oom_kill_allocating_task)"))
		ev->allocating_task = true;
	return true;
}

bool kr_killed_line(struct kr_victim *v, const char *m)
{
	const char *k = strstr(m, "Killed process "), *p, *stop;
	int64_t pid;

	if (!k)
		return false;
	p = k + 15;
	stop = strstr(p, ") total-vm:");
	if (!stop)
		stop = strstr(p, ") vsz:");
	if (!stop)
		stop = strstr(p, "), UID");
	stop = stop ? stop + 1 : NULL;
	if (!pid_comm(p, &pid, v->comm, sizeof(v->comm), stop))
		return false;
	v->pid = pid;
	kill_message(v->message, sizeof(v->message), m, k);
	v->total_vm_kb = after_kb(k, "total-vm:");
	if (v->total_vm_kb == KR_UNSET)
		v->total_vm_kb = after_kb(k, "vsz:");
	v->anon_rss_kb = after_kb(k, "anon-rss:");
	v->file_rss_kb = after_kb(k, "file-rss:");
	v->shmem_rss_kb = after_kb(k, "shmem-rss:");
	v->uid = kr_after(k, "UID:");
	if (v->uid == KR_UNSET)
		v->uid = kr_after(k, "UID ");
	v->pgtables_kb = kr_after(k, "pgtables:");
	v->oom_score_adj = kr_after(k, "oom_score_adj:");
	return true;
}

static void add_other(struct kr_event *ev, int64_t pid, const char *comm, const char *reason)
{
	if (ev->nr_others >= KR_MAX_OTHERS)
		return;
	struct kr_killed *o = &ev->others[ev->nr_others++];

	o->pid = pid;
	kr_copy(o->comm, sizeof(o->comm), comm, strlen(comm));
	kr_copy(o->reason, sizeof(o->reason), reason, strlen(reason));
}

bool kr_shared_mm_line(struct kr_event *ev, const char *m)
{
	char comm[KR_COMM_MAX];
	int64_t pid;
	const char *k = strstr(m, "Kill process "), *s = strstr(m, " sharing same memory");

	if (k && s && pid_comm(k + 13, &pid, comm, sizeof(comm), s)) {
		add_other(ev, pid, comm, "shared_mm");
		return true;
	}
	if (kr_starts(m, "oom killer ") && (s = strstr(m, " has mm pinned by ")) &&
	    pid_comm(m + 11, &pid, comm, sizeof(comm), s)) {
		add_other(ev, pid, comm, "mm_pinned");
		return true;
	}
	return false;
}

bool kr_oom_group_line(struct kr_event *ev, const char *m)
{
	/* the kernel's memory.oom.group, or oomkit's "--unit cgroup" / "--unit pgroup" */
	const char *s = strstr(m, " are going to be killed due to ");

	if (!kr_starts(m, "Tasks in ") || !s)
		return false;
	kr_copy(ev->oom_group, sizeof(ev->oom_group), m + 9, (size_t)(s - m - 9));
	return true;
}

bool kr_reaper_line(struct kr_event *ev, const char *m, int64_t *pid)
{
	char comm[KR_COMM_MAX];
	const char *p;

	if (kr_starts(m, "oom_reaper: reaped process ") &&
	    (p = pid_comm(m + 27, pid, comm, sizeof(comm), strstr(m, "), now") ? strstr(m, "), now") + 1 : NULL))) {
		if (ev && !ev->have_victim && ev->victim.pid == KR_UNSET) {
			/* no kill line: the reaper's is the only one naming the victim */
			ev->victim.pid = *pid;
			kr_copy(ev->victim.comm, sizeof(ev->victim.comm), comm, strlen(comm));
			ev->have_victim = true;
			kr_note(ev, "no kill line: the victim is the one the oom_reaper line names");
		}
		if (ev && *pid == ev->victim.pid) {
			ev->reaped = 1;
			ev->reaped_anon_rss_kb = kr_after(p, "anon-rss:");
			ev->reaped_file_rss_kb = kr_after(p, "file-rss:");
			ev->reaped_shmem_rss_kb = kr_after(p, "shmem-rss:");
		}
		return true;
	}
	if (kr_starts(m, "oom_reaper: unable to reap pid:") && kr_num(m + 31, pid, NULL)) {
		if (ev && *pid == ev->victim.pid) {
			ev->reaped = 0;
			ev->reap_unable = true;
		}
		return true;
	}
	return false;
}

bool kr_end_line(struct kr_event *ev, const char *m)
{
	const char *p;

	if ((p = strstr(m, "OOM victim ")) && strstr(m, " is already exiting")) {
		int64_t pid;

		if (pid_comm(p + 11, &pid, ev->victim.comm, sizeof(ev->victim.comm), strstr(p, " is already")))
			ev->victim.pid = pid;
		ev->already_exiting = true;
		return true;
	}
	if (kr_starts(m, "Out of memory and no killable processes")) {
		ev->no_killable = true;
		return true;
	}
	if ((p = strstr(m, "Kernel panic - not syncing: ")) &&
	    (strstr(p, "emory") || strstr(p, "panic_on_oom"))) {
		ev->panic = true;
		kr_copy(ev->panic_msg, sizeof(ev->panic_msg), p + 28, strcspn(p + 28, "\n"));
		strcpy(ev->panic_cause, strstr(p, "panic_on_oom") ? "panic_on_oom"
					: strstr(p, "deadlocked") ? "no_killable" : "other");
		/* vm.panic_on_oom=1 panics only for CONSTRAINT_NONE ("system-wide"),
		 * =2 for any ("compulsory") */
		if (strstr(p, "system-wide panic_on_oom") && !ev->constraint_known)
			kr_set_constraint(ev, "CONSTRAINT_NONE", 15);
		return true;
	}
	if (strstr(m, "panic_on_oom") && (strstr(m, "out of memory") || strstr(m, "Out of memory"))) {
		ev->panic = true; /* 2.6.32 panic() text, or pstore without the "Kernel panic" line */
		kr_copy(ev->panic_msg, sizeof(ev->panic_msg), kr_skip_sp(m), strlen(kr_skip_sp(m)));
		strcpy(ev->panic_cause, "panic_on_oom");
		return true;
	}
	return false;
}

void kr_init_died(struct kr_event *ev, const char *m)
{
	const char *p = strstr(m, "not syncing: ") + 13;

	ev->panic = true;
	kr_copy(ev->panic_msg, sizeof(ev->panic_msg), p, strlen(p));
	strcpy(ev->panic_cause, "init_died");
}

/* --- user-space killers --- */

static bool earlyoom(struct kr_event *ev, const char *m)
{
	const char *p = strstr(m, "sending SIG"), *q, *e;
	int64_t v;

	if (p && (q = strstr(p, " to process ")) && kr_num(q + 12, &v, &e)) {
		kr_copy(ev->victim.signal, sizeof(ev->victim.signal), p + 8, strcspn(p + 8, " "));
		ev->victim.pid = v;
		ev->victim.uid = kr_after(e, "uid ");
		if ((q = strchr(e, '"'))) {
			const char *close = strstr(q + 1, "\": ");

			if (!close)
				close = strrchr(q + 1, '"');
			if (close)
				kr_copy(ev->victim.comm, sizeof(ev->victim.comm), q + 1, (size_t)(close - q - 1));
		}
		ev->badness = kr_after(e, "badness ");
		if (ev->badness == KR_UNSET)
			ev->badness = kr_after(e, "oom_score ");
		if ((v = kr_after(e, "VmRSS ")) != KR_UNSET)
			ev->victim.rss_kb = v > KR_NUM_MAX / 1024 ? KR_NUM_MAX : v * 1024;
		return true;
	}
	if ((p = strstr(m, "Low memory! Killing process ")) && kr_num(p + 28, &v, &e)) {
		ev->victim.pid = v;
		kr_copy(ev->victim.comm, sizeof(ev->victim.comm), kr_skip_sp(e), strlen(kr_skip_sp(e)));
		return true;
	}
	return false;
}

bool kr_userspace_kill(struct kr_event *ev, const char *m, const char *tag)
{
	const char *p, *e;
	int64_t v;

	if (earlyoom(ev, m)) {
		kr_copy(ev->source, sizeof(ev->source), "earlyoom", 8);
	} else if (kr_starts(m, "Killed /") && (p = strstr(m, " due to "))) {
		kr_copy(ev->source, sizeof(ev->source), "systemd-oomd", 12);
		kr_copy(ev->victim.cgroup, sizeof(ev->victim.cgroup), m + 7, (size_t)(p - m - 7));
		kr_copy(ev->reason, sizeof(ev->reason), p + 8, strlen(p + 8));
	} else if ((p = strstr(m, "oomd kill: "))) {
		const char *t = p + 11;

		kr_copy(ev->source, sizeof(ev->source), "oomd", 4);
		for (int i = 0; i < 3 && *t; i++) /* three pressure figures, then the cgroup */
			t = kr_skip_sp(t + strcspn(t, " "));
		kr_copy(ev->victim.cgroup, sizeof(ev->victim.cgroup), t, strcspn(t, " "));
		kr_copy(ev->reason, sizeof(ev->reason), p + 11, strlen(p + 11));
	} else if (((p = strstr(m, "Kill '")) || (p = strstr(m, "Killing '"))) &&
		   (e = strstr(p, "' (")) && kr_num(e + 3, &v, NULL)) {
		const char *q = strchr(p, '\'') + 1;

		kr_copy(ev->source, sizeof(ev->source), "lmkd", 4);
		kr_copy(ev->victim.comm, sizeof(ev->victim.comm), q, (size_t)(e - q));
		ev->victim.pid = v;
		ev->victim.uid = kr_after(e, "uid ");
		ev->victim.oom_score_adj = kr_after(e, "oom_score_adj ");
		if (ev->victim.oom_score_adj == KR_UNSET)
			ev->victim.oom_score_adj = kr_after(e, "adj ");
		ev->victim.rss_kb = kr_after(e, "to free ");
		if ((q = strstr(e, "reason: ")))
			kr_copy(ev->reason, sizeof(ev->reason), q + 8, strlen(q + 8));
	} else {
		return false;
	}
	(void)tag;
	ev->have_victim = true;
	return true;
}
