#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Collect memlab test results into one file and summarise them.

  results.py FILE record GROUP pass|fail|skip NAME [DETAIL]
  results.py FILE tap GROUP TAPFILE         count a TAP stream's test points
  results.py FILE guest GROUP CONSOLE KUNIT_PY [--need-kunit]
                                            parse a guest console log
  results.py FILE summary [GROUP]           per-group lines, then the total

FILE holds one line per test: "<status> <group>: <name>[ -- <detail>]".
KTAP is handed to the kernel's own tools/testing/kunit/kunit.py parse.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

# A line matching any of these anywhere in a guest's console fails the run.
SPLATS = [
    r"\bBUG: ", r"^\s*(\[[ 0-9.]+\] )?WARNING: ", r"\bOops\b", r"Internal error: ",
    r"Unable to handle kernel", r"Kernel panic", r"\bUBSAN: ", r"\bKASAN: ",
    r"\bKFENCE: ", r"unreferenced object 0x", r"suspected memory leak",
    r"list_(add|del) corruption", r"INFO: possible ", r"INFO: task .* blocked",
    r"INFO: suspicious RCU", r"Call trace:", r"cut here \]", r"Bad page state",
    r"BUG kmalloc-", r"stack-protector", r"\bdetected deadlock\b",
]
SPLAT_RE = re.compile("|".join(SPLATS))


def add(path, status, group, name, detail=""):
    name = " ".join(name.split())
    line = f"{status} {group}: {name}"
    if detail:
        line += " -- " + " ".join(str(detail).split())[:300]
    with open(path, "a") as f:
        f.write(line + "\n")
    if status == "FAIL":
        print(f"FAIL {group}: {name}" + (f" -- {detail}" if detail else ""), flush=True)


TAP_POINT = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$")
TAP_SKIP = re.compile(r"^(.*?)\s*#\s*SKIP\b\s*(.*)$", re.I)
TAP_PLAN = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")


def parse_tap(lines):
    """Yield (status, name, detail) for each TAP test point, then the plan check.

    The plan comes first or last (TAP 13); "1..0 # SKIP <why>" is a program
    that skipped as a whole. "ok N - <name> # SKIP <why>" is a skipped point.
    """
    seen = 0
    plan = None
    plan_at = None      # points seen when the plan came
    late = None         # a point after a plan that came last
    bailed = None
    for raw in lines:
        line = raw.rstrip("\n")
        m = TAP_POINT.match(line)
        if m:
            seen += 1
            if plan_at and late is None:
                late = seen
            desc = m.group(3)
            skip = TAP_SKIP.match(desc)
            if skip:
                yield ("SKIP", skip.group(1).strip() or f"test {seen}", skip.group(2).strip())
            elif m.group(1) == "ok":
                yield ("PASS", desc or f"test {seen}", "")
            else:
                yield ("FAIL", desc or f"test {seen}", "")
            continue
        m = TAP_PLAN.match(line)
        if m:
            if plan is not None:
                yield ("FAIL", "one TAP plan", f"a second plan: {line}")
                continue
            plan = int(m.group(1))
            plan_at = seen
            if plan == 0 and seen == 0:
                why = m.group(2) or ""
                why = re.sub(r"^SKIP\b\s*", "", why, flags=re.I)
                yield ("SKIP", "skipped as a whole", why or "1..0")
            continue
        if line.startswith("Bail out!"):
            bailed = line
    if bailed:
        yield ("FAIL", "bail out", bailed)
    if plan is None:
        yield ("FAIL", "TAP plan present", "no 1..N line: the program did not finish")
    elif plan != seen:
        yield ("FAIL", "TAP plan matches", f"planned {plan}, ran {seen}")
    elif late:
        yield ("FAIL", "TAP plan first or last", f"test point {late} after the plan")


def cmd_tap(path, group, tapfile):
    with open(tapfile, errors="replace") as f:
        for status, name, detail in parse_tap(f):
            add(path, status, group, name, detail)


def kunit_cases(node, prefix=""):
    name = node.get("name", "")
    full = f"{prefix}.{name}" if prefix else name
    for case in node.get("test_cases", []):
        yield (f"{full}.{case['name']}" if full else case["name"], case["status"])
    for sub in node.get("sub_groups", []):
        yield from kunit_cases(sub, full)


def cmd_guest(path, group, console, kunit_py, need_kunit):
    with open(console, errors="replace") as f:
        lines = [l.rstrip("\n") for l in f]

    done = any(l == "@@ DONE" for l in lines)
    timeout = next((l for l in lines if l.startswith("@@ TIMEOUT")), None)
    add(path, "PASS" if done else "FAIL", group, "guest ran to the end",
        timeout or ("" if done else "no @@ DONE: the guest crashed or hung; see " + console))

    blocks = []
    cur = None
    for l in lines:
        m = re.match(r"^@@ BEGIN (\S+) (.*)$", l)
        if m:
            cur = (m.group(1), m.group(2), [])
            continue
        m = re.match(r"^@@ END (\S+) (.*)$", l)
        if m and cur:
            blocks.append(cur)
            cur = None
            continue
        if cur:
            cur[2].append(l)
        m = re.match(r"^@@ RESULT (ok|not ok|skip) (.*?)(?: # (.*))?$", l)
        if m:
            status = {"ok": "PASS", "skip": "SKIP"}.get(m.group(1), "FAIL")
            add(path, status, group, m.group(2), m.group(3) or "")

    suites = 0
    for kind, name, body in blocks:
        if kind == "tap":
            for status, tname, detail in parse_tap(body):
                add(path, status, group, f"{name}: {tname}", detail)
        elif kind == "ktap":
            suites += 1
            with tempfile.TemporaryDirectory() as d:
                src = os.path.join(d, "ktap")
                out = os.path.join(d, "json")
                with open(src, "w") as f:
                    f.write("\n".join(body) + "\n")
                r = subprocess.run([sys.executable, kunit_py, "parse", "--json=" + out, src],
                                   capture_output=True, text=True)
                try:
                    with open(out) as f:
                        tree = json.load(f)
                except (OSError, ValueError) as e:
                    add(path, "FAIL", group, f"kunit {name}: kunit.py parse", f"{e}: {r.stdout[-300:]}")
                    continue
            # The root is kunit.py's own "KUnit Test Group".
            cases = [c for sub in tree.get("sub_groups", []) for c in kunit_cases(sub)]
            cases += [(c["name"], c["status"]) for c in tree.get("test_cases", [])]
            if r.returncode and all(st == "PASS" for _, st in cases):
                add(path, "FAIL", group, f"kunit {name}: kunit.py parse",
                    f"exit {r.returncode}: {r.stdout[-300:]}")
            if not cases:
                add(path, "FAIL", group, f"kunit {name}", "no test case parsed")
            for cname, status in cases:
                st = {"PASS": "PASS", "SKIP": "SKIP"}.get(status, "FAIL")
                add(path, st, group, f"kunit {cname}", "" if st != "FAIL" else status)
    if need_kunit:
        add(path, "PASS" if suites else "FAIL", group, "KUnit suites ran",
            f"{suites} suites" if suites else "no KUnit results reached the console")

    splats = []
    for l in lines:
        if l.startswith("@@ RESULT") or re.match(r"^(not )?ok \d", l):
            continue
        if SPLAT_RE.search(l) and l not in splats:
            splats.append(l)
    if splats:
        add(path, "FAIL", group, "no kernel splat in the console",
            f"{len(splats)} lines, first: {splats[0]}")
        for l in splats[:20]:
            print(f"    splat: {l}")
    else:
        add(path, "PASS", group, "no kernel splat in the console")


def counts(path, group=None):
    c = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    if os.path.exists(path):
        with open(path) as f:
            for l in f:
                status, rest = l.split(" ", 1)
                g = rest.split(":", 1)[0]
                if group is None or g == group:
                    c[status] = c.get(status, 0) + 1
    return c


def cmd_summary(path, group=None):
    if group:
        c = counts(path, group)
        print(f"{group}: {c['PASS']} passed, {c['FAIL']} failed, {c['SKIP']} skipped")
        return 1 if c["FAIL"] else 0
    groups = []
    if os.path.exists(path):
        with open(path) as f:
            for l in f:
                g = l.split(" ", 1)[1].split(":", 1)[0]
                if g not in groups:
                    groups.append(g)
    for g in groups:
        c = counts(path, g)
        print(f"  {g:<24} {c['PASS']:4} passed {c['FAIL']:4} failed {c['SKIP']:4} skipped")
    c = counts(path)
    if c["FAIL"]:
        print("failed tests:")
        with open(path) as f:
            for l in f:
                if l.startswith("FAIL "):
                    print("  " + l.rstrip()[5:])
    print(f"{c['PASS']} passed, {c['FAIL']} failed, {c['SKIP']} skipped")
    return 1 if c["FAIL"] or not c["PASS"] else 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, cmd, args = argv[1], argv[2], argv[3:]
    if cmd == "record":
        add(path, args[1].upper(), args[0], args[2], args[3] if len(args) > 3 else "")
    elif cmd == "tap":
        cmd_tap(path, args[0], args[1])
    elif cmd == "guest":
        cmd_guest(path, args[0], args[1], args[2], "--need-kunit" in args[3:])
    elif cmd == "summary":
        return cmd_summary(path, args[0] if args else None)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
