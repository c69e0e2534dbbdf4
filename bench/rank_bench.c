/* rank_bench.c - CPU time of repeated victim selection (the daemon's steady
 * state): one scanner kept across scans, select_bad_process() each time.
 *   rank_bench METHOD SCANS    METHOD: bpf | procfs | snapshot
 * "snapshot" is the naive way (proc_snapshot_take: open+read+close of
 * stat, status, oom_score_adj per process per scan), for reference.
 * Prints: method scans processes cpu_ms_per_scan wall_ms_per_scan victim */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/mem.h"
#include "rank/rank.h"
#include "core/scan.h"
#include "core/scene.h"
#include "core/select.h"
#include "core/util.h"

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

int main(int argc, char **argv)
{
	struct proc_snapshot snap = { 0 };
	struct proc_scanner sc;
	struct oom_control oc;
	struct meminfo mi;
	const char *method = argc > 1 ? argv[1] : "bpf";
	int scans = argc > 2 ? atoi(argv[2]) : 100;
	bool naive = !strcmp(method, "snapshot");
	double c0, w0;
	pid_t victim = 0;

	if (meminfo_read("/proc", &mi) < 0)
		return 4;
	rank_scene(&oc, "/proc", NULL, &mi, oom_page_size());
	if (!naive && proc_scanner_init(&sc, "/proc", strcmp(method, "procfs") ? 0 : PROC_SCANNER_NO_BPF) < 0)
		return 4;
	if (!naive && strcmp(proc_scanner_method(&sc), method)) {
		fprintf(stderr, "rank_bench: method %s unavailable\n", method);
		return 1;
	}
	struct proc_scan_opts o = { .top = 1, .totalpages = oc.totalpages, .page_size = oc.page_size };
	c0 = cpu_ms();
	w0 = (double)now_ns();
	for (int i = 0; i < scans; i++) {
		int r = naive ? proc_snapshot_take(&snap, "/proc", 0) : proc_scanner_scan(&sc, &o, &snap);

		if (r < 0 || select_bad_process(&oc, &snap, NULL, NULL) < 0)
			return 1;
		victim = oc.chosen->pid;
	}
	printf("%s %d %zu %.3f %.3f %d\n", method, scans, snap.nr_scanned, (cpu_ms() - c0) / scans,
	       ((double)now_ns() - w0) / 1e6 / scans, (int)victim);
	if (!naive)
		proc_scanner_free(&sc);
	proc_snapshot_free(&snap);
	return 0;
}
