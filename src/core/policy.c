/* policy.c - see policy.h. */
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const kind_names[] = { "prefer", "avoid", "ignore", "protect" };
static const char *const field_names[] = { "comm", "cmdline", "exe", "cgroup", "uid" };
static const char *const tier_names[] = { "prefer", "normal", "avoid", "none" };

void policy_init(struct policy *p, pid_t self_pid)
{
	memset(p, 0, sizeof(*p));
	p->self_raised = SELF_RAISED_HONOR;
	p->self_pid = self_pid;
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->rules[i].field != POLICY_FIELD_UID)
			regfree(&p->rules[i].re);
	free(p->saved);
	p->saved = NULL;
	p->saved_cap = 0;
	p->nr = 0;
}

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -EINVAL;
}


int policy_field_parse(const char *s, enum policy_field *field)
{
	int i = lookup(field_names, ARRAY_SIZE(field_names), s);

	if (i < 0)
		return i;
	*field = (enum policy_field)i;
	return 0;
}

int policy_self_raised_parse(const char *s, enum self_raised_adj *mode)
{
	if (!strcmp(s, "honor") || !strcmp(s, "honour"))
		*mode = SELF_RAISED_HONOR;
	else if (!strcmp(s, "ignore"))
		*mode = SELF_RAISED_IGNORE;
	else
		return -EINVAL;
	return 0;
}

const char *policy_kind_name(enum policy_kind kind) { return kind_names[kind]; }
const char *policy_tier_name(enum policy_tier tier) { return tier_names[tier]; }

static int parse_uid(const char *s, uid_t *uid, char *err, size_t err_size)
{
	int64_t v;
	struct passwd *pw;

	if (parse_i64(s, &v) == 0) {
		if (v < 0 || v > (int64_t)UINT32_MAX - 1) {
			snprintf(err, err_size, "uid '%s' out of range", s);
			return -EINVAL;
		}
		*uid = (uid_t)v;
		return 0;
	}
	pw = getpwnam(s);
	if (!pw) {
		snprintf(err, err_size, "uid '%s': no such user (expected a number or a user name)", s);
		return -ENOENT;
	}
	*uid = pw->pw_uid;
	return 0;
}

int policy_add_rule(struct policy *p, enum policy_kind kind, enum policy_field field,
		    const char *pattern, char *err, size_t err_size)
{
	struct policy_rule *r;
	int rc;

	if (p->nr >= POLICY_MAX_RULES) {
		snprintf(err, err_size, "too many rules (at most %d)", POLICY_MAX_RULES);
		return -ENOSPC;
	}
	if (!*pattern) {
		snprintf(err, err_size, "empty %s pattern for %s", field_names[field], kind_names[kind]);
		return -EINVAL;
	}
	r = &p->rules[p->nr];
	r->kind = kind;
	r->field = field;
	if (field == POLICY_FIELD_UID) {
		rc = parse_uid(pattern, &r->uid, err, err_size);
		if (rc < 0)
			return rc;
	} else {
		rc = regcomp(&r->re, pattern, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char why[128];

			regerror(rc, &r->re, why, sizeof(why));
			snprintf(err, err_size, "bad %s regex '%s': %s", field_names[field], pattern, why);
			return -EINVAL;
		}
	}
	p->nr++;
	return 0;
}

/* "FIELD:PATTERN" when the text before the first ':' is a lower-case word,
 * else a bare comm pattern. An unknown word is an error rather than a comm
 * pattern, so that a typo ("cmdlin:x") is not silently a different rule. */
int policy_add_spec(struct policy *p, enum policy_kind kind, const char *spec,
		    char *err, size_t err_size)
{
	const char *colon = strchr(spec, ':');
	enum policy_field field = POLICY_FIELD_COMM;
	char word[16] = "";
	size_t len = colon ? (size_t)(colon - spec) : 0;

	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)spec[i]))
			len = 0;
	if (len == 0)
		return policy_add_rule(p, kind, field, spec, err, err_size);
	if (len < sizeof(word))
		memcpy(word, spec, len);
	if (len >= sizeof(word) || policy_field_parse(word, &field) < 0) {
		snprintf(err, err_size,
			 "unknown field in '%s' (expected comm, cmdline, exe, cgroup or uid; "
			 "write comm:%s to match a comm containing ':')", spec, spec);
		return -EINVAL;
	}
	return policy_add_rule(p, kind, field, colon + 1, err, err_size);
}

unsigned int policy_proc_details(const struct policy *p)
{
	unsigned int d = PROC_DETAIL_MEMCG;

	for (size_t i = 0; i < p->nr; i++) {
		if (p->rules[i].field == POLICY_FIELD_CMDLINE)
			d |= PROC_DETAIL_CMDLINE;
		else if (p->rules[i].field == POLICY_FIELD_EXE)
			d |= PROC_DETAIL_EXE;
	}
	return d;
}

static bool rule_matches(const struct policy_rule *r, const struct task_info *t)
{
	const char *text;

	switch (r->field) {
	case POLICY_FIELD_UID:
		return t->uid == r->uid;
	case POLICY_FIELD_COMM:
		text = t->comm;
		break;
	case POLICY_FIELD_CMDLINE:
		text = t->cmdline;
		break;
	case POLICY_FIELD_EXE:
		text = t->exe;
		break;
	case POLICY_FIELD_CGROUP:
		text = t->memcg;
		break;
	default:
		return false;
	}
	return regexec(&r->re, text, 0, NULL, 0) == 0;
}

bool policy_matches(const struct policy *p, enum policy_kind kind, const struct task_info *t)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->rules[i].kind == kind && rule_matches(&p->rules[i], t))
			return true;
	return false;
}

/* protect and ignore win over prefer; prefer wins over avoid, so that a
 * narrow prefer rule can pick one task out of a broadly avoided set. */
enum policy_tier policy_tier_of(const struct policy *p, const struct task_info *t)
{
	if (t->pid == p->self_pid)
		return POLICY_TIER_NONE;
	if (policy_matches(p, POLICY_PROTECT, t) || policy_matches(p, POLICY_IGNORE, t))
		return POLICY_TIER_NONE;
	if (policy_matches(p, POLICY_PREFER, t))
		return POLICY_TIER_PREFER;
	if (policy_matches(p, POLICY_AVOID, t))
		return POLICY_TIER_AVOID;
	return POLICY_TIER_NORMAL;
}

bool policy_may_kill_member(const struct policy *p, const struct task_info *t)
{
	return t->pid != p->self_pid && !policy_matches(p, POLICY_PROTECT, t);
}

static const struct task_info *find_task(const struct proc_snapshot *snap, pid_t pid)
{
	for (size_t i = 0; i < snap->nr; i++)
		if (snap->tasks[i].pid == pid)
			return &snap->tasks[i];
	return NULL;
}

/* A fork inherits the parent's adj: a higher value was written later. */
static bool raised_over_parent(const struct task_info *t, int adj, int parent_adj)
{
	return adj > 0 && t->uid != 0 && parent_adj < adj;
}

bool policy_self_raised_adj(const struct task_info *t, const struct proc_snapshot *snap)
{
	const struct task_info *parent;

	if (t->oom_score_adj <= 0 || t->uid == 0 || t->ppid <= 1)
		return false;
	parent = find_task(snap, t->ppid);
	return parent && raised_over_parent(t, t->oom_score_adj, parent->oom_score_adj);
}
