#!/usr/bin/env python3
"""prom_check.py FILE [EXPECT...]: parses a Prometheus text-format file with
prometheus_client's own parser (what node_exporter-compatible tooling
accepts), prints one line per sample, and checks EXPECT items of the form
'name{label=value,...}=number' (labels optional, value compared as float).
Exit 0 when the file parses and every expectation holds."""
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def parse_expect(e):
    lhs, value = e.rsplit("=", 1)
    labels = {}
    if "{" in lhs:
        name, rest = lhs.split("{", 1)
        for kv in rest.rstrip("}").split(","):
            k, v = kv.split("=", 1)
            labels[k] = v
    else:
        name = lhs
    return name, labels, float(value)


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    samples = []
    types = {}
    for fam in text_string_to_metric_families(text):
        types[fam.name] = fam.type
        for s in fam.samples:
            samples.append(s)
            print(f"{s.name} {s.labels} {s.value}")
    ok = True
    for e in sys.argv[2:]:
        name, labels, value = parse_expect(e)
        hits = [s for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
        if not hits or not any(h.value == value or (math.isinf(h.value) and math.isinf(value)) for h in hits):
            print(f"MISSING {e}: {[(h.labels, h.value) for h in hits]}", file=sys.stderr)
            ok = False
    print("types", types)
    return 0 if ok else 1


sys.exit(main())
