/* oom_control.h - one struct per OOM episode, as mm/oom_kill.c's struct
 * oom_control: select, kill, reap and report fill it in turn; explain fills
 * the same facts from a kernel log. */
#ifndef OOMKIT_OOM_CONTROL_H
#define OOMKIT_OOM_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "badness.h"
#include "proc.h"

enum oom_constraint {
	CONSTRAINT_NONE,
	CONSTRAINT_CPUSET,
	CONSTRAINT_MEMORY_POLICY,
	CONSTRAINT_MEMCG,
};

const char *oom_constraint_name(enum oom_constraint c);

struct oom_invoker {
	pid_t pid;                 /* 0 when unknown */
	char comm[TASK_COMM_MAX];
	int oom_score_adj;
	/* the daemon's invoker, the fastest grower since its previous scan:
	 * the task in the selection's snapshot (NULL when unknown) */
	const struct task_info *task;
	unsigned long growth_kb;
};

#define KILL_MAX_MEMBERS 256   /* reported and waited for; more are killed, counted */

/* What a kill takes with the victim. KILL_UNIT_SWARM: every process with
 * the victim's name, uid and memory cgroup (a fork bomb: hundreds of
 * copies that keep forking; killing one frees nothing, since another one
 * forks in its place). */
enum kill_unit { KILL_UNIT_PROCESS, KILL_UNIT_PGROUP, KILL_UNIT_CGROUP, KILL_UNIT_SWARM };

enum kill_why { KILL_WHY_VICTIM, KILL_WHY_SHARES_MM, KILL_WHY_PGROUP, KILL_WHY_CGROUP, KILL_WHY_SWARM };

enum kill_outcome {
	KILL_OK,              /* victim signalled (and exited, for SIGKILL) */
	KILL_DRY_RUN,         /* everything but the signals */
	KILL_VICTIM_GONE,     /* exited between selection and signal */
	KILL_PID_REUSED,      /* its pid now names another process: not touched */
	KILL_TOO_YOUNG,       /* started in the scan's clock tick: unverifiable */
	KILL_REFUSED,         /* pid 1, kthread, oomkit, -1000, protected */
	KILL_SIGNAL_FAILED,
	KILL_TIMEOUT,         /* signalled, not exited within the timeout */
};

struct kill_member {
	struct task_info t;    /* read through /proc after pidfd_open */
	enum kill_why why;
	const char *spared;    /* NULL when signalled, else why not */
	int err;               /* -errno of the signal, 0 */
	bool signalled;
	int pidfd;
	bool exited;
	uint64_t t_exit_ns;
};

/* What oom_kill_process() did, as the report tells it: the victim as read
 * after its pidfd was open (members[0]), the processes taken with it, the
 * reaper's result. The kill module owns the storage (preallocated). */
struct oom_kill_result {
	enum kill_outcome outcome;
	const char *refused;        /* KILL_REFUSED: why */
	int err;
	enum kill_unit unit;
	bool reap;                  /* process_mrelease() was asked for */
	int reap_err;               /* process_mrelease(): 0 or -errno; 1 = not tried */
	int timeout_ms;             /* the wait for the exit */
	bool measured_memcg;        /* avail_*_kb are a memcg's headroom, not MemAvailable */
	struct kill_member members[KILL_MAX_MEMBERS]; /* [0] is the victim */
	size_t nr_members;
	size_t nr_more;             /* killed beyond members[] */
	bool used_cgroup_kill;
	bool used_pgroup_kill;
	pid_t stopped_pgid;         /* a fork bomb's group stopped before its check (0: none) */
	int cont_err;               /* its SIGCONT once the signals were out: 0 or -errno */
	size_t nr_strays;           /* kill(-pgid) hit these non-copies (kill_unit.c) */
	struct task_info stray;     /* the first of them */
	unsigned long now_anon_kb, now_file_kb, now_shmem_kb; /* victim after reaping */
};

const char *kill_outcome_name(enum kill_outcome o);
const char *kill_why_name(enum kill_why w);
const char *kill_unit_name(enum kill_unit u);
int kill_unit_parse(const char *s, enum kill_unit *u);

struct oom_control {
	/* the scene */
	enum oom_constraint constraint;
	char memcg[TASK_CGROUP_MAX];   /* cgroup path (kernel style) for CONSTRAINT_MEMCG */
	char memcg_dir[4096];          /* its directory on this machine, "" for global */
	unsigned long totalpages;      /* RAM + swap, or the memcg limit (+ swap) */
	unsigned long page_size;
	int order;                     /* -1 for a manual (sysrq-f like) kill */
	char trigger[192];             /* "manual", "memavailable 4.8% < 5%", "psi full 40% 2s" ... */
	struct oom_invoker invoker;

	/* select_bad_process() */
	const struct task_info *chosen; /* points into the snapshot */
	long chosen_points;
	size_t nr_candidates;          /* killable tasks seen */

	/* oom_kill_process() and the reaper */
	bool dry_run;
	int kill_signal;               /* SIGKILL, or SIGTERM for a first stage */
	bool killed;
	bool reaped;                   /* process_mrelease succeeded */
	unsigned int nr_sharers_killed;/* other processes sharing the victim's mm */
	uint64_t t_select_ns, t_signal_ns, t_exit_ns, t_reaped_ns;
	unsigned long avail_before_kb, avail_after_kb; /* MemAvailable or limit - usage */
	const struct oom_kill_result *kill; /* oom_kill_process()'s account, NULL before */
};

#endif
