#!/usr/bin/env python3
"""Checks `oomkit explain --json FILE` against FILE's .facts beside it.

.facts format (shared with other branches' fixtures):
    events = K
    N.key.path = VALUE      # N: 0-based event, key.path: dotted path in the
                            # --json event (`length` after a list: its size),
                            # VALUE: a JSON literal
    # comments and blank lines are ignored
Prints one line "ok NAME" or "not ok NAME: why" per fixture; exit 1 on any failure.
usage: explain_facts.py OOMKIT FILE.log...
"""
import json
import subprocess
import sys


def lookup(obj, path):
    for part in path.split("."):
        if obj is None:  # a null object: its fields are null too
            return None
        if isinstance(obj, list):
            obj = len(obj) if part == "length" else obj[int(part)]
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            raise KeyError(path)
    return obj


def check(oomkit, log):
    facts = log[:-4] + ".facts"
    out = subprocess.run([oomkit, "explain", "--json", log], capture_output=True)
    if out.returncode not in (0, 9):
        return "exit %d: %s" % (out.returncode, out.stderr.decode(errors="replace").strip())
    try:
        events = json.loads(out.stdout)["events"]
    except ValueError as e:
        return "output is not JSON: %s" % e
    for n, raw in enumerate(open(facts, encoding="utf-8"), 1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), json.loads(value.strip())
        if key == "events":
            if len(events) != value:
                return "%s:%d: %d events, expected %d" % (facts, n, len(events), value)
            continue
        idx, _, path = key.partition(".")
        try:
            got = lookup(events[int(idx)], path)
        except (KeyError, IndexError, ValueError):
            return "%s:%d: no %s in the output" % (facts, n, key)
        if got != value:
            return "%s:%d: %s = %s, expected %s" % (facts, n, key, json.dumps(got), json.dumps(value))
    return None


def main():
    oomkit, logs = sys.argv[1], sys.argv[2:]
    failed = False
    for log in logs:
        why = check(oomkit, log)
        if why:
            print("not ok fixture %s: %s" % (log, why))
            failed = True
        else:
            print("ok fixture %s" % log)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
