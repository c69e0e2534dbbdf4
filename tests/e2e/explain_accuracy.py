#!/usr/bin/env python3
"""How many facts `oomkit explain --json` reads right from the fixtures, over
all of them and per class, and whether it invented any.

Each fact of each FILE.facts (format: explain_facts.py) is one of
  right     the output has the expected value
  missing   expected a value (or true, or N rows), the output has null
            (or false, or fewer events or no rows): a fact not read
  wrong     both have a value and they differ
  invented  expected null / false / no more rows or events, the output has one:
            a fact the text does not hold
The class of a fixture is its directory under tests/fixtures/pasted/, else
the top directory under tests/fixtures/ (vm, seeds, ...).
Exit 1 on any wrong or invented fact, or when the share right is below --min.
usage: explain_accuracy.py [--min PCT] [-v] OOMKIT FILE.log...
"""
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from explain_facts import lookup  # noqa: E402


def classify(key, want, got):
    if got == want and type(got) is type(want):
        return "right"
    if key.endswith(".length") or key == "events":  # rows or events: fewer are missing, more invented
        return "missing" if got is None or got < want else "invented"
    if got is None:
        return "missing"
    if want is None or want is False:
        return "invented"
    return "missing" if got is False else "wrong"


def facts_of(path):
    for n, raw in enumerate(open(path, encoding="utf-8"), 1):
        if raw.lstrip().startswith("#"):
            continue
        line = raw.split(" #", 1)[0].strip()
        if line:
            key, _, value = line.partition("=")
            yield n, key.strip(), json.loads(value.strip())


def check(oomkit, log):
    """[(kind, where, key, want, got)] for every fact of log's .facts."""
    out = subprocess.run([oomkit, "explain", "--json", log], capture_output=True)
    try:
        events = json.loads(out.stdout)["events"] if out.returncode in (0, 9) else []
    except ValueError:
        events = []
    results = []
    for n, key, want in facts_of(log[:-4] + ".facts"):
        where = "%s:%d" % (log[:-4] + ".facts", n)
        if key == "events":
            got = len(events)
        else:
            idx, _, path = key.partition(".")
            try:
                got = lookup(events[int(idx)], path)
            except (KeyError, IndexError, ValueError):
                got = None
        kind = classify(key, want, got)
        results.append((kind, where, key, want, got))
    return results


TREE_DIRS = ("vm", "seeds", "linux-6.18", "wrapped", "oomkit", "userspace", "k8s")


def fixture_class(log):
    parts = os.path.normpath(log).split(os.sep)
    i = parts.index("fixtures") if "fixtures" in parts else -1
    rest = parts[i + 1:]
    return rest[1] if rest and rest[0] == "pasted" and len(rest) > 2 else rest[0]


def main():
    args = sys.argv[1:]
    minimum, verbose = 0.0, False
    while args and args[0].startswith("-"):
        opt = args.pop(0)
        if opt == "--min":
            minimum = float(args.pop(0))
        elif opt == "-v":
            verbose = True
    oomkit, logs = args[0], args[1:]
    per = collections.defaultdict(collections.Counter)
    bad = []
    for log in logs:
        for kind, where, key, want, got in check(oomkit, log):
            per[fixture_class(log)][kind] += 1
            if kind != "right":
                bad.append((kind, where, key, want, got))
    total = collections.Counter()
    for cls in sorted(per):
        c = per[cls]
        total.update(c)
        checked = sum(c.values())
        print("# %-26s %4d/%-4d right  %3d missing %3d wrong %3d invented" %
              (cls, c["right"], checked, c["missing"], c["wrong"], c["invented"]))
    for kind, where, key, want, got in bad:
        if verbose or kind in ("wrong", "invented"):
            print("# %-8s %s: %s = %s, expected %s" % (kind, where, key, json.dumps(got), json.dumps(want)))
    pasted = collections.Counter()
    for cls, c in per.items():
        if cls not in TREE_DIRS:
            pasted.update(c)
    print("# pasted classes: %s" % summary(pasted))
    share = 100.0 * total["right"] / max(1, sum(total.values()))
    failed = total["wrong"] or total["invented"] or share < minimum
    print("%s explain accuracy: %s%s" % ("not ok" if failed else "ok", summary(total),
                                          " (below %.1f%%)" % minimum if share < minimum else ""))
    sys.exit(1 if failed else 0)


def summary(c):
    checked = sum(c.values())
    return "%d/%d facts right (%.1f%%), %d missing, %d wrong, %d invented" % (
        c["right"], checked, 100.0 * c["right"] / max(1, checked), c["missing"], c["wrong"], c["invented"])


if __name__ == "__main__":
    main()
