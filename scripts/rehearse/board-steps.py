#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The shell commands of a reStructuredText page's "Step by step" section.

  board-steps.py FILE [SECTION]

Prints one line per item, in the page's order, as "STEP<TAB>KIND<TAB>TEXT":

  cmd      a command line of a literal block (``::``), its trailing
           comment removed
  comment  a literal line that is only a comment (an alternative for
           another system, or the output to expect)
  reboot   the step's prose says "Reboot" here

STEP is the number of the enumerated item the line belongs to. It fails
(status 1) when the section is missing or holds no command, so a change of
the page's structure cannot make the rehearsal run nothing.
"""
import re
import sys

TITLE_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>])\1+$")
ITEM = re.compile(r"^(\d+)\.\s")


def section(lines, name):
    """The lines of section NAME, without its title and underline."""
    start = level = None
    for i, line in enumerate(lines):
        if i + 1 >= len(lines):
            break
        under = lines[i + 1].rstrip("\n")
        if not TITLE_UNDERLINE.match(under) or len(under) < len(line.rstrip()) or not line.strip():
            continue
        if start is None:
            if line.strip() == name:
                start, level = i + 2, under[0]
        elif under[0] == level:
            return lines[start:i]
    return lines[start:] if start is not None else None


def strip_comment(line):
    """LINE without a trailing "# ..." comment outside quotes."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def indent(line):
    return len(line) - len(line.lstrip(" "))


def items(lines):
    step = 0
    literal = None          # the indentation of the paragraph that opened a block
    block = None            # the indentation of the block's lines
    pending = ""            # a command continued with a backslash
    for raw in lines:
        line = raw.rstrip("\n").expandtabs()
        if literal is not None:
            if not line.strip():
                continue
            if indent(line) > literal:
                block = indent(line) if block is None else block
                text = line[block:] if indent(line) >= block else line.strip()
                if text.lstrip().startswith("#"):
                    yield step, "comment", text.strip()
                    continue
                text = strip_comment(pending + text)
                if text.endswith("\\"):
                    pending = text[:-1] + " "
                    continue
                pending = ""
                if text:
                    yield step, "cmd", text
                continue
            literal = block = None
        m = ITEM.match(line)
        if m:
            step = int(m.group(1))
        if step and re.search(r"\bReboot\b", line):
            yield step, "reboot", ""
        if line.rstrip().endswith("::"):
            # The paragraph's indentation: an item's text starts after "N. ".
            literal = m.end() if m else indent(line)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    name = argv[2] if len(argv) > 2 else "Step by step"
    with open(argv[1]) as f:
        lines = f.readlines()
    body = section(lines, name)
    if body is None:
        print(f"{argv[1]}: no section \"{name}\"", file=sys.stderr)
        return 1
    out = list(items(body))
    if not any(kind == "cmd" for _, kind, _ in out):
        print(f"{argv[1]}: section \"{name}\" has no command in a literal block", file=sys.stderr)
        return 1
    for step, kind, text in out:
        print(f"{step}\t{kind}\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
