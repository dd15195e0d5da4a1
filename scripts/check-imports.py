#!/usr/bin/env python3
"""Every module a target's files import is declared as a dependency of that target in
Package.swift (SwiftPM's own --explicit-target-dependency-import-check misses modules that are
reachable through another dependency). Exits 1 and names target and module otherwise."""
import json, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pkg = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                capture_output=True, text=True).stdout)
toolchain = {"Foundation", "FoundationEssentials", "Dispatch", "Synchronization", "Testing", "XCTest",
             "Glibc", "Darwin", "Musl", "_Concurrency", "os"}
bad = 0
for t in pkg["targets"]:
    path = os.path.join(root, t.get("path") or (("Tests/" if t["type"] == "test" else "Sources/") + t["name"]))
    if not os.path.isdir(path):
        continue
    declared = {v[0] for d in t["dependencies"] for v in d.values()}
    for dirpath, _, files in os.walk(path):
        for f in files:
            if not f.endswith(".swift"):
                continue
            for n, line in enumerate(open(os.path.join(dirpath, f)), 1):
                m = re.match(r"^(?:@testable |public |package |internal )?import (\w+)", line)
                if m and m.group(1) not in declared | toolchain:
                    print(f"check-imports: {os.path.relpath(os.path.join(dirpath, f), root)}:{n}: "
                          f"target {t['name']} imports {m.group(1)}, which Package.swift does not declare for it")
                    bad += 1
print(f"check-imports: {'ok' if not bad else str(bad) + ' undeclared imports'}")
sys.exit(1 if bad else 0)
