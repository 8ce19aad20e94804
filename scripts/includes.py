#!/usr/bin/env python3
"""Checks the #include graph of common/: `scripts/includes.py` (the unit suite
runs it as the test `includes`).

common/ is built on floors, arrows pointing one way: runtime/ (the lab
runtime: cli, lab_main, the helpers the pages use) and lab.hpp -> voice/ ->
os/. This finds
  - any circle between parts of common/ (a part is X.hpp with its X.cpp, so a
    header and its source count as one: a.cpp -> b.hpp and b.cpp -> a.hpp is
    a circle),
  - any arrow pointing down the wrong way (os/ including voice/ or the runtime,
    voice/ including the runtime),
  - CLI11 included anywhere but runtime/cli.cpp.
Prints each problem and exits 1, or prints a one-line summary and exits 0.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "common"
include = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def floor(part):
    return part.split("/")[0] if "/" in part else "runtime"


rank = {"os": 0, "voice": 1, "runtime": 2}
arrows = {}  # part -> {part it includes: the file that does}
problems = []
files = sorted(p for p in root.rglob("*") if p.suffix in (".hpp", ".cpp"))
for path in files:
    name = path.relative_to(root).as_posix()
    part = name.rsplit(".", 1)[0]
    arrows.setdefault(part, {})
    for kind, target in include.findall(path.read_text(encoding="utf-8")):
        if target.startswith("CLI/") and name != "runtime/cli.cpp":
            problems.append(f"{name}: includes CLI11 (only cli.cpp may)")
        if kind != '"':
            continue
        if not (root / target).exists():
            problems.append(f"{name}: includes {target}, not a file of common/")
            continue
        to = target.rsplit(".", 1)[0]
        if to == part:
            continue
        arrows[part].setdefault(to, name)
        if rank[floor(to)] > rank[floor(part)]:
            problems.append(f"{name}: includes {target}: {floor(part)}/ must not know {floor(to)}")

# Circles: a depth-first search, each one reported by the path that closes it.
state = {}  # part -> 1 on the path, 2 done
path = []


def visit(part):
    state[part] = 1
    path.append(part)
    for to in sorted(arrows.get(part, {})):
        if state.get(to) == 1:
            circle = path[path.index(to):] + [to]
            steps = [f"{a} ({arrows[a][b]})" for a, b in zip(circle, circle[1:])]
            problems.append("circle: " + " -> ".join(steps) + f" -> {to}")
        elif to not in state:
            visit(to)
    path.pop()
    state[part] = 2


for part in sorted(arrows):
    if part not in state:
        visit(part)

for problem in problems:
    print(problem)
edges = sum(len(to) for to in arrows.values())
if problems:
    sys.exit(1)
print(f"common/: {len(files)} files, {len(arrows)} parts, {edges} arrows between parts: "
      "no circle, os/ -> nothing above, voice/ -> no runtime, CLI11 in cli.cpp only")
