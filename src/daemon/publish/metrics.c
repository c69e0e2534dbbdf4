/* metrics.c - see metrics.h. */
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/textbuf.h"

const double metrics_selection_buckets[METRICS_NR_BUCKETS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
	0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
};

void metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
}

/* A label value of bounded cardinality: the first word, [a-z0-9_] only. */
static void label_word(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; s && *s == ' '; s++)
		;
	for (; s && *s && *s != ' ' && n + 1 < size; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[n++] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') ? c : '_';
	}
	if (n == 0)
		n = (size_t)snprintf(out, size, "unknown");
	out[n] = '\0';
}

void metrics_record_kill(struct metrics *m, const struct kill_record *r)
{
	char trigger[METRICS_LABEL_MAX], unit[METRICS_LABEL_MAX];
	struct metrics_kill_series *s = NULL;

	if (r->dry_run) {
		m->dry_run_kills++;
		return;
	}
	label_word(trigger, sizeof(trigger), r->trigger);
	label_word(unit, sizeof(unit), r->unit[0] ? r->unit : "process");
	for (size_t i = 0; i < m->nr_kill_series && !s; i++)
		if (!strcmp(m->kills[i].trigger, trigger) && !strcmp(m->kills[i].unit, unit))
			s = &m->kills[i];
	if (!s && m->nr_kill_series < METRICS_MAX_KILL_SERIES) {
		s = &m->kills[m->nr_kill_series++];
		memcpy(s->trigger, trigger, sizeof(trigger));
		memcpy(s->unit, unit, sizeof(unit));
	}
	if (s)
		s->count++;
	else
		m->kills_dropped++;
	m->last_kill_time_seconds = r->time_seconds;
	m->last_victim_bytes = kill_record_victim_bytes(r);
	if (r->reclaim_seconds >= 0)
		m->last_reclaim_seconds = r->reclaim_seconds;
}

void metrics_observe_selection(struct metrics *m, double seconds)
{
	for (size_t i = 0; i < METRICS_NR_BUCKETS; i++)
		if (seconds <= metrics_selection_buckets[i]) {
			m->selection_buckets[i]++;
			break;
		}
	m->selection_count++;
	m->selection_sum_seconds += seconds;
}

void metrics_set_meminfo(struct metrics *m, const struct meminfo *mi)
{
	m->have_memory = true;
	m->mem_available_bytes = (uint64_t)mi->mem_available_kb * 1024;
	m->mem_total_bytes = (uint64_t)mi->mem_total_kb * 1024;
	m->swap_free_bytes = (uint64_t)mi->swap_free_kb * 1024;
	m->swap_total_bytes = (uint64_t)mi->swap_total_kb * 1024;
}

void metrics_set_psi(struct metrics *m, const struct psi *p)
{
	m->have_psi = true;
	m->psi = *p;
}

int metrics_set_cgroup(struct metrics *m, const char *path, uint64_t usage_bytes, uint64_t limit_bytes)
{
	struct metrics_cgroup *c = NULL;

	for (size_t i = 0; i < m->nr_cgroups && !c; i++)
		if (!strncmp(m->cgroups[i].path, path, sizeof(c->path)))
			c = &m->cgroups[i];
	if (!c) {
		if (m->nr_cgroups == METRICS_MAX_CGROUPS)
			return -ENOSPC;
		c = &m->cgroups[m->nr_cgroups++];
		snprintf(c->path, sizeof(c->path), "%s", path);
	}
	c->usage_bytes = usage_bytes;
	c->limit_bytes = limit_bytes;
	return 0;
}

/* A label value: text_escape() makes any bytes printable ASCII (so the file
 * stays valid UTF-8), then the exposition format's own escapes. */
static void put_label_value(struct textbuf *t, const char *s)
{
	char esc[METRICS_PATH_MAX * 4 + 1];

	text_escape(s, esc, sizeof(esc));
	textbuf_append(t, "\"", 1);
	for (const char *p = esc; *p; p++) {
		if (*p == '\\' || *p == '"')
			textbuf_append(t, "\\", 1);
		textbuf_append(t, p, 1);
	}
	textbuf_append(t, "\"", 1);
}

static void put_header(struct textbuf *t, const char *name, const char *type, const char *help)
{
	textbuf_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_kills(struct textbuf *t, const struct metrics *m)
{
	put_header(t, "oomkit_kills_total", "counter", "Kills by trigger class and kill unit.");
	for (size_t i = 0; i < m->nr_kill_series; i++)
		textbuf_printf(t, "oomkit_kills_total{trigger=\"%s\",unit=\"%s\"} %llu\n",
			       m->kills[i].trigger, m->kills[i].unit, (unsigned long long)m->kills[i].count);
	put_header(t, "oomkit_kills_unlabelled_total", "counter",
		   "Kills beyond the label table's capacity.");
	textbuf_printf(t, "oomkit_kills_unlabelled_total %llu\n", (unsigned long long)m->kills_dropped);
	put_header(t, "oomkit_dry_run_kills_total", "counter", "Would-be kills of --dry-run.");
	textbuf_printf(t, "oomkit_dry_run_kills_total %llu\n", (unsigned long long)m->dry_run_kills);
	put_header(t, "oomkit_last_kill_timestamp_seconds", "gauge", "Unix time of the last kill (0: none yet).");
	textbuf_printf(t, "oomkit_last_kill_timestamp_seconds %.3f\n", m->last_kill_time_seconds);
	put_header(t, "oomkit_last_victim_bytes", "gauge", "Resident plus swapped memory of the last victim.");
	textbuf_printf(t, "oomkit_last_victim_bytes %llu\n", (unsigned long long)m->last_victim_bytes);
	put_header(t, "oomkit_last_reclaim_seconds", "gauge",
		   "Time from the kill signal until the victim's memory was back.");
	textbuf_printf(t, "oomkit_last_reclaim_seconds %.6f\n", m->last_reclaim_seconds);
}

static void put_selection(struct textbuf *t, const struct metrics *m)
{
	uint64_t cum = 0;

	put_header(t, "oomkit_selection_seconds", "histogram", "Time to snapshot, score and select a victim.");
	for (size_t i = 0; i < METRICS_NR_BUCKETS; i++) {
		cum += m->selection_buckets[i];
		textbuf_printf(t, "oomkit_selection_seconds_bucket{le=\"%g\"} %llu\n",
			       metrics_selection_buckets[i], (unsigned long long)cum);
	}
	textbuf_printf(t, "oomkit_selection_seconds_bucket{le=\"+Inf\"} %llu\n",
		       (unsigned long long)m->selection_count);
	textbuf_printf(t, "oomkit_selection_seconds_sum %.9f\n", m->selection_sum_seconds);
	textbuf_printf(t, "oomkit_selection_seconds_count %llu\n", (unsigned long long)m->selection_count);
}

static void put_memory(struct textbuf *t, const struct metrics *m)
{
	if (!m->have_memory)
		return;
	put_header(t, "oomkit_memory_available_bytes", "gauge", "MemAvailable of /proc/meminfo.");
	textbuf_printf(t, "oomkit_memory_available_bytes %llu\n", (unsigned long long)m->mem_available_bytes);
	put_header(t, "oomkit_memory_total_bytes", "gauge", "MemTotal of /proc/meminfo.");
	textbuf_printf(t, "oomkit_memory_total_bytes %llu\n", (unsigned long long)m->mem_total_bytes);
	put_header(t, "oomkit_swap_free_bytes", "gauge", "SwapFree of /proc/meminfo.");
	textbuf_printf(t, "oomkit_swap_free_bytes %llu\n", (unsigned long long)m->swap_free_bytes);
	put_header(t, "oomkit_swap_total_bytes", "gauge", "SwapTotal of /proc/meminfo.");
	textbuf_printf(t, "oomkit_swap_total_bytes %llu\n", (unsigned long long)m->swap_total_bytes);
}

static void put_psi_line(struct textbuf *t, const char *kind, const struct psi_line *l)
{
	textbuf_printf(t, "oomkit_pressure_memory_ratio{kind=\"%s\",window=\"10s\"} %.4f\n", kind, l->avg10 / 100);
	textbuf_printf(t, "oomkit_pressure_memory_ratio{kind=\"%s\",window=\"60s\"} %.4f\n", kind, l->avg60 / 100);
	textbuf_printf(t, "oomkit_pressure_memory_ratio{kind=\"%s\",window=\"300s\"} %.4f\n", kind, l->avg300 / 100);
}

static void put_psi(struct textbuf *t, const struct metrics *m)
{
	if (!m->have_psi)
		return;
	put_header(t, "oomkit_pressure_memory_ratio", "gauge",
		   "Share of time stalled on memory (PSI avg10/60/300 of /proc/pressure/memory).");
	put_psi_line(t, "some", &m->psi.some);
	if (m->psi.has_full)
		put_psi_line(t, "full", &m->psi.full);
	put_header(t, "oomkit_pressure_memory_stalled_seconds_total", "counter",
		   "Total time stalled on memory (PSI total).");
	textbuf_printf(t, "oomkit_pressure_memory_stalled_seconds_total{kind=\"some\"} %.6f\n",
		       (double)m->psi.some.total_us / 1e6);
	if (m->psi.has_full)
		textbuf_printf(t, "oomkit_pressure_memory_stalled_seconds_total{kind=\"full\"} %.6f\n",
			       (double)m->psi.full.total_us / 1e6);
}

static void put_cgroups(struct textbuf *t, const struct metrics *m)
{
	if (!m->nr_cgroups)
		return;
	put_header(t, "oomkit_cgroup_memory_usage_bytes", "gauge", "Memory usage of a watched cgroup.");
	for (size_t i = 0; i < m->nr_cgroups; i++) {
		textbuf_printf(t, "oomkit_cgroup_memory_usage_bytes{cgroup=");
		put_label_value(t, m->cgroups[i].path);
		textbuf_printf(t, "} %llu\n", (unsigned long long)m->cgroups[i].usage_bytes);
	}
	put_header(t, "oomkit_cgroup_memory_limit_bytes", "gauge",
		   "Memory limit of a watched cgroup (+Inf: none).");
	for (size_t i = 0; i < m->nr_cgroups; i++) {
		textbuf_printf(t, "oomkit_cgroup_memory_limit_bytes{cgroup=");
		put_label_value(t, m->cgroups[i].path);
		if (m->cgroups[i].limit_bytes == UINT64_MAX)
			textbuf_printf(t, "} +Inf\n");
		else
			textbuf_printf(t, "} %llu\n", (unsigned long long)m->cgroups[i].limit_bytes);
	}
}

long metrics_render(const struct metrics *m, char *buf, size_t size)
{
	struct textbuf t;

	textbuf_init(&t, buf, size);
	put_kills(&t, m);
	put_selection(&t, m);
	put_memory(&t, m);
	put_psi(&t, m);
	put_cgroups(&t, m);
	if (t.truncated) {
		if (size)
			buf[0] = '\0';
		return -ENOBUFS;
	}
	return (long)t.len;
}
