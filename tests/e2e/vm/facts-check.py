#!/usr/bin/env python3
"""facts-check.py FACTS JSON: compares `oomkit explain --json` output (JSON,
a file or - for stdin) with a .facts file and prints one line per mismatch;
exit 0 when every fact holds, 1 when one does not, 2 on unreadable input.

.facts lines: `events = K` (the number of events), `N.key.path = VALUE`
(N = 0-based event index, key.path = dotted path in that event, VALUE a
JSON literal); a line starting with `#` is a comment."""
import json
import sys

MISSING = object()


def lookup(event, path):
    node = event
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return MISSING
        node = node[key]
    return node


def main(facts_path, json_path):
    try:
        text = sys.stdin.read() if json_path == "-" else open(json_path).read()
        events = json.loads(text)["events"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"{json_path}: not an explain --json document: {e}")
        return 2
    bad = 0
    for lineno, line in enumerate(open(facts_path), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" = ")
        want = json.loads(value)
        if key == "events":
            got = len(events)
        else:
            index, _, path = key.partition(".")
            got = lookup(events[int(index)], path) if int(index) < len(events) else MISSING
        if got is MISSING or got != want:
            shown = "missing" if got is MISSING else json.dumps(got)
            print(f"{facts_path}:{lineno}: {key}: got {shown}, want {json.dumps(want)}")
            bad = 1
    return bad


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
