#!/usr/bin/env python3
"""json_doc_check.py DOC [--also DOC]... [--map KEY]... < JSON

Checks JSON documents oomkit printed (one object, or one per line) against
the documentation of their schema: every key that appears must be named
in DOC (in a `code span`, or as "key": in a code block), and the first key
of every top-level object must be "schema" with an integer value.
--map KEY: the keys of KEY's object are data (counter names), not fields.
--also DOC: names documented elsewhere (the k8s object: doc/kubernetes.md).
Prints each undocumented key path and exits 1; exit 0 when all are named."""
import json
import re
import sys

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def documented(paths):
    names = set()
    for path in paths:
        text = open(path, encoding="utf-8").read()
        for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
            names.update(re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)"\s*:', block))
        text = re.sub(r"```.*?```", "", text, flags=re.S)
        for span in re.findall(r"`([^`\n]+)`", text):
            names.update(NAME.findall(span))
    return names


def walk(value, path, names, maps, bad):
    if isinstance(value, list):
        for item in value:
            walk(item, path + "[]", names, maps, bad)
    elif isinstance(value, dict):
        data = path.rsplit(".", 1)[-1].rstrip("[]") in maps
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            if not data and key not in names:
                bad.add(sub)
            walk(item, sub, names, maps, bad)


def main(argv):
    docs, maps, i = [argv[1]], set(), 2
    while i < len(argv):
        if argv[i] == "--also":
            docs.append(argv[i + 1])
        elif argv[i] == "--map":
            maps.add(argv[i + 1])
        i += 2
    names = documented(docs)
    text = sys.stdin.read()
    try:
        objects = [json.loads(text)]
    except ValueError:
        objects = [json.loads(line) for line in text.splitlines() if line.strip()]
    if not objects:
        print("no JSON document read")
        return 1
    bad = set()
    for obj in objects:
        first = next(iter(obj), None)
        if first != "schema" or not isinstance(obj["schema"], int):
            bad.add(f"(first key is {first!r}, not an integer \"schema\")")
        walk(obj, "", names, maps, bad)
    for path in sorted(bad):
        print(f"undocumented in {argv[1]}: {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
