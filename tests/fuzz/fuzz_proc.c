/* fuzz_proc.c - libFuzzer target of the core's text parsers: /proc/PID/stat,
 * status and cgroup, /proc/meminfo, PSI, mountinfo. Each must reject or
 * accept any bytes without crashing or reading out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cgroup.h"
#include "core/mem.h"
#include "core/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct task_info t;
	struct meminfo mi;
	struct psi p;
	struct memcg_roots roots;
	char memcg[TASK_CGROUP_MAX];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&t, 0, sizeof(t));
	proc_parse_stat(text, &t);
	proc_parse_status(text, &t);
	proc_parse_cgroup(text, memcg, sizeof(memcg));
	proc_parse_cgroup(text, memcg, 8);
	meminfo_parse(text, &mi);
	psi_parse(text, &p);
	memcg_roots_parse(text, &roots);
	proc_name_pid(text);
	free(text);
	return 0;
}
