/* fuzz_varlink.c - libFuzzer target for the varlink messages oomkit reads
 * from systemd (src/daemon/managed_oom.c over src/core/json_read.c): any
 * bytes, as PID 1's or a user manager's, must leave the table within its
 * bounds with paths that are absolute and NUL-terminated, and a user's
 * entries below its own user@UID.service. Built by `make fuzz-varlink`
 * (clang); run by tests/e2e/fuzz_varlink.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/managed_oom.h"

static void check(const struct moom_table *t)
{
	if (t->nr > MOOM_MAX_CGROUPS)
		abort();
	for (size_t i = 0; i < t->nr; i++) {
		const struct moom_cgroup *c = &t->cg[i];
		char prefix[96];

		if (!memchr(c->path, '\0', sizeof(c->path)) || c->path[0] != '/' || !(c->swap || c->pressure))
			abort();
		snprintf(prefix, sizeof(prefix), "/user.slice/user-%u.slice/user@%u.service/", (unsigned)c->owner,
			 (unsigned)c->owner);
		if (c->owner && strncmp(c->path, prefix, strlen(prefix)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct moom_table t;
	char err[256];
	bool reply;
	uid_t uid = size && (data[0] & 1) ? 1000 : 0; /* either sender */

	if (size && data[0] == 0xff)
		memset(&t, 0, sizeof(t)); /* sometimes from empty, mostly on top */
	moom_message_apply(&t, (const char *)data, size, uid, &reply, err, sizeof(err));
	if (!memchr(err, '\0', sizeof(err)))
		abort();
	check(&t);
	return 0;
}
