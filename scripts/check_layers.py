#!/usr/bin/env python3
"""Checks that no include in emulator/ points upward.

Usage: check_layers.py EMULATOR_DIR LAYER [LAYER ...]  (lowest layer first, as in
emulator/CMakeLists.txt's LAMBDA_LOCAL_LAYERS and README's Layout).

A file in layer L may include headers of L and of layers listed before L. A service
(services/<name>/) may include the services/ core (files directly in services/) but never
another service. Prints every violation and exits 1 if there is any."""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main() -> int:
    root, layers = sys.argv[1], sys.argv[2:]
    rank = {name: i for i, name in enumerate(layers)}
    problems = []
    for dirpath, _, files in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir == ".":
            continue
        parts = rel_dir.split(os.sep)
        layer = parts[0]
        if layer not in rank:
            if any(f.endswith((".h", ".cc")) for f in files):
                problems.append(f"{rel_dir}/: folder is not in the layer order {layers}")
            continue
        service = parts[1] if layer == "services" and len(parts) > 1 else None
        for name in files:
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(1).split("/")
                    if len(target) < 2:
                        continue  # a same-folder or generated include
                    where = f"{os.path.relpath(path, root)}:{lineno}: includes {m.group(1)}"
                    if target[0] not in rank:
                        problems.append(f"{where}: {target[0]}/ is not a layer")
                    elif rank[target[0]] > rank[layer]:
                        problems.append(f"{where}: {layer}/ may not depend on {target[0]}/, a higher layer")
                    elif (target[0] == "services" and len(target) > 2 and service is not None
                          and target[1] != service):
                        problems.append(f"{where}: a service never includes another service")
    for p in problems:
        print(p)
    print(f"layers: {len(problems)} violation(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
