/* config_check.c - what `oomkit daemon --check-config` checks beyond the
 * syntax: that this machine has what the configuration names, so that a
 * mistake shows before the daemon is started, not at the first kill:
 * watched cgroups exist and are memory cgroups, hooks are executable
 * files, the /metrics address is loopback. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "core/cgroup.h"
#include "daemon/publish/http_server.h"

static int check_cgroups(const struct oomkit_config *c, struct config_error *err)
{
	struct memcg_roots roots;
	enum cgroup_version v;
	char dir[CONFIG_PATH_MAX];
	int r;

	if (c->nr_cgroups == 0)
		return 0;
	r = memcg_roots_find(c->proc_root, &roots);
	for (size_t i = 0; i < c->nr_cgroups; i++) {
		if (r == 0)
			r = memcg_resolve(&roots, c->cgroups[i].path, dir, sizeof(dir), &v);
		if (r) {
			snprintf(err->msg, sizeof(err->msg), "[cgroup] path = %s: %s", c->cgroups[i].path,
				 r == -ENOTDIR ? "not a memory cgroup (v1 or v2)"
					       : r == -ENOENT ? "no such memory cgroup" : strerror(-r));
			return -ENOENT;
		}
	}
	return 0;
}

static int check_hook(const char *key, const char *path, struct config_error *err)
{
	struct stat st;
	const char *why = NULL;

	if (!path[0])
		return 0;
	if (path[0] != '/')
		why = "expected an absolute path (the hook is run without a shell or $PATH)";
	else if (stat(path, &st))
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (!(st.st_mode & 0111))
		why = "not executable (chmod +x)";
	if (!why)
		return 0;
	snprintf(err->msg, sizeof(err->msg), "[hooks] %s = %s: %s", key, path, why);
	return -EINVAL;
}

int config_check_system(const struct oomkit_config *c, struct config_error *err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int r;

	err->file[0] = '\0';
	err->line = 0;
	if (check_cgroups(c, err) || check_hook("pre_kill", c->pre_kill, err) ||
	    check_hook("post_kill", c->post_kill, err))
		return -EINVAL;
	if (c->metrics_listen[0]) {
		r = http_parse_listen(c->metrics_listen, &ss, &len);
		if (r) {
			snprintf(err->msg, sizeof(err->msg), "[publish] metrics_listen = %s: %s",
				 c->metrics_listen,
				 r == -EPERM ? "not a loopback address (127.0.0.0/8, ::1, localhost): "
					       "/metrics is never served beyond this machine"
					     : "expected ADDRESS:PORT (127.0.0.1:9101, [::1]:9101)");
			return -EINVAL;
		}
	}
	return 0;
}
