/* managed_oom.c - see managed_oom.h: varlink messages into the table,
 * oomd.conf, and the mapping onto oomkit's rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "managed_oom.h"
#include "core/json_read.h"

/* One element of "cgroups": {"mode":"kill","path":"/x.slice",
 * "property":"ManagedOOMMemoryPressure","limit":N[,"duration":USEC]}. */
struct element {
	char path[MOOM_PATH_MAX];
	bool kill, swap;
	uint64_t limit, duration;
};

static int read_element(const struct json_value *e, struct element *el)
{
	struct json_value mode = json_member(e, "mode"), prop = json_member(e, "property");
	struct json_value limit = json_member(e, "limit"), dur = json_member(e, "duration");
	struct json_value path = json_member(e, "path");

	*el = (struct element){ 0 };
	if (json_read_string(&path, el->path, sizeof(el->path)))
		return -EINVAL;
	if (!el->path[0]) /* PID 1 names -.slice's cgroup "", the root */
		strcpy(el->path, "/");
	if (el->path[0] != '/')
		return -EINVAL;
	if (!json_string_is(&mode, "kill") && !json_string_is(&mode, "auto"))
		return -EINVAL;
	el->kill = json_string_is(&mode, "kill");
	if (json_string_is(&prop, "ManagedOOMSwap"))
		el->swap = true;
	else if (!json_string_is(&prop, "ManagedOOMMemoryPressure"))
		return -EINVAL;
	if ((limit.type != JSON_T_NONE && json_read_u64(&limit, &el->limit)) || el->limit > UINT32_MAX ||
	    (dur.type != JSON_T_NONE && json_read_u64(&dur, &el->duration)))
		return -EINVAL;
	return 0;
}

/* "/user.slice/user-1000.slice/user@1000.service/..." for uid 1000. */
static bool owned_by(const char *path, uid_t uid)
{
	char prefix[96];
	int n = snprintf(prefix, sizeof(prefix), "/user.slice/user-%u.slice/user@%u.service/", (unsigned)uid,
			 (unsigned)uid);

	return !strncmp(path, prefix, (size_t)n) && !strstr(path, "/../") && !strstr(path, "/./");
}

static struct moom_cgroup *find(struct moom_table *t, const char *path)
{
	for (size_t i = 0; i < t->nr; i++)
		if (!strcmp(t->cg[i].path, path))
			return &t->cg[i];
	return NULL;
}

static void drop_if_unused(struct moom_table *t, struct moom_cgroup *c)
{
	if (c->swap || c->pressure)
		return;
	*c = t->cg[--t->nr];
	t->changes++;
}

static void apply_element(struct moom_table *t, const struct element *el, uid_t sender)
{
	struct moom_cgroup *c = find(t, el->path);

	if (!c && !el->kill)
		return;
	if (!c) {
		if (t->nr == MOOM_MAX_CGROUPS) {
			t->dropped++;
			return;
		}
		c = &t->cg[t->nr++];
		*c = (struct moom_cgroup){ .owner = sender };
		snprintf(c->path, sizeof(c->path), "%s", el->path);
	}
	if (el->swap) {
		c->swap = el->kill;
	} else {
		c->pressure = el->kill;
		c->limit = (uint32_t)el->limit;
		c->duration_usec = el->duration;
	}
	t->changes++;
	drop_if_unused(t, c);
}

/* The cgroups array of a message, checked whole before any of it counts. */
static int apply_cgroups(struct moom_table *t, const struct json_value *arr, uid_t sender, char *err,
			 size_t err_size)
{
	struct json_value e;
	struct element el;
	size_t pos = 0;

	while (json_array_next(arr, &pos, &e)) {
		if (read_element(&e, &el)) {
			snprintf(err, err_size, "a cgroups element is not {mode, path, property[, limit]}");
			return -EINVAL;
		}
		if (sender && !owned_by(el.path, sender)) {
			snprintf(err, err_size, "uid %u reported %s, which is not below its user@%u.service",
				 (unsigned)sender, el.path, (unsigned)sender);
			return -EPERM;
		}
	}
	for (pos = 0; json_array_next(arr, &pos, &e);)
		if (read_element(&e, &el) == 0)
			apply_element(t, &el, sender);
	return MOOM_MSG_CGROUPS;
}

int moom_message_apply(struct moom_table *t, const char *msg, size_t len, uid_t sender, bool *reply,
		       char *err, size_t err_size)
{
	struct json_value root, method, params, cgroups, error, oneway;

	*reply = false;
	err[0] = '\0';
	if (json_read(msg, len, &root) || root.type != JSON_T_OBJECT) {
		snprintf(err, err_size, "not a JSON object");
		return -EINVAL;
	}
	error = json_member(&root, "error");
	if (error.type != JSON_T_NONE) {
		if (json_read_string(&error, err, err_size))
			snprintf(err, err_size, "an error reply");
		return MOOM_MSG_ERROR;
	}
	method = json_member(&root, "method");
	oneway = json_member(&root, "oneway");
	*reply = method.type != JSON_T_NONE && !json_read_bool(&oneway, false);
	if (method.type != JSON_T_NONE && !json_string_is(&method, "io.systemd.oom.ReportManagedOOMCGroups"))
		return MOOM_MSG_UNKNOWN;
	params = json_member(&root, "parameters");
	cgroups = json_member(&params, "cgroups");
	if (cgroups.type != JSON_T_ARRAY) {
		snprintf(err, err_size, "no parameters.cgroups array");
		return -EINVAL;
	}
	return apply_cgroups(t, &cgroups, sender, err, err_size);
}

void moom_defaults_init(struct moom_defaults *d)
{
	*d = (struct moom_defaults){ .swap_used_limit_percent = 90, .pressure_limit_percent = 60,
				     .pressure_duration_ms = 30000 };
}

/* "KEY=VALUE" of the [OOM] section into d. */
static void defaults_key(struct moom_defaults *d, const char *key, const char *value)
{
	double pct;
	unsigned long ms;

	if (!strcmp(key, "SwapUsedLimit") && config_parse_percent(value, &pct) == 0)
		d->swap_used_limit_percent = pct;
	else if (!strcmp(key, "DefaultMemoryPressureLimit") && config_parse_percent(value, &pct) == 0)
		d->pressure_limit_percent = pct;
	else if (!strcmp(key, "DefaultMemoryPressureDurationSec") && config_parse_ms(value, &ms) == 0 && ms)
		d->pressure_duration_ms = ms;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

void moom_defaults_parse(struct moom_defaults *d, const char *text)
{
	char line[256];
	bool in_oom = false;

	while (*text) {
		size_t n = strcspn(text, "\n");
		char *s, *eq;

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), text);
		text += n + (text[n] == '\n');
		s = trim(line);
		if (s[0] == '[') {
			in_oom = !strcmp(s, "[OOM]");
			continue;
		}
		if (!in_oom || s[0] == '#' || s[0] == ';' || !(eq = strchr(s, '=')))
			continue;
		*eq = '\0';
		defaults_key(d, trim(s), trim(eq + 1));
	}
}

double moom_limit_percent(const struct moom_cgroup *c, const struct moom_defaults *d)
{
	/* systemd rounds the 32-bit fraction to 1/10000 */
	uint64_t permyriad = ((uint64_t)c->limit * 10000 + UINT32_MAX / 2) / UINT32_MAX;

	return c->limit ? (double)permyriad / 100.0 : d->pressure_limit_percent;
}

unsigned long moom_duration_ms(const struct moom_cgroup *c, const struct moom_defaults *d)
{
	return c->duration_usec ? (unsigned long)(c->duration_usec / 1000) : d->pressure_duration_ms;
}

bool moom_user_cgroup(const char *victim_cgroup)
{
	const char *last = strrchr(victim_cgroup, '/');

	if (strstr(victim_cgroup, "/user@") && strstr(victim_cgroup, ".service"))
		return true;
	return last && !strncmp(last + 1, "session-", 8) && strstr(last, ".scope");
}

enum kill_unit moom_kill_unit(enum moom_unit_choice choice, const char *victim_cgroup, bool one_application)
{
	if (choice == MOOM_UNIT_CGROUP)
		return KILL_UNIT_CGROUP;
	if (choice == MOOM_UNIT_PROCESS)
		return KILL_UNIT_PROCESS;
	return !moom_user_cgroup(victim_cgroup) || one_application ? KILL_UNIT_CGROUP : KILL_UNIT_PROCESS;
}
