#!/usr/bin/env python3
"""Makes one owner's books, labs/<lang>/<owner>.tsv, into C++ tables that enrol
themselves before main (see common/voice/i18n.hpp).

Usage: words.py OWNER OUTPUT.cpp labs/zh/OWNER.tsv [labs/ko/OWNER.tsv ...]

A book is UTF-8 text, one message a line: the id (the English template), a
tab, the translation. \\n, \\t and \\\\ stand for a newline, a tab and a
backslash in either field. Lines that are empty or start with # are skipped.
A line without a tab, or an id given twice, stops the build with its place.
"""
import os
import sys


def unescape(field, where):
    out = []
    i = 0
    while i < len(field):
        c = field[i]
        if c == "\\":
            nxt = field[i + 1 : i + 2]
            if nxt not in ("n", "t", "\\"):
                sys.exit(f"{where}: unknown escape \\{nxt} (use \\n, \\t or \\\\)")
            out.append({"n": "\n", "t": "\t", "\\": "\\"}[nxt])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def literal(text):
    out = ['"']
    for c in text:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def read_book(path):
    entries = []
    seen = set()
    with open(path, encoding="utf-8") as book:
        for number, line in enumerate(book, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            where = f"{path}:{number}"
            if "\t" not in line:
                sys.exit(f"{where}: no tab between the id and its translation")
            message_id, text = (unescape(f, where) for f in line.split("\t", 1))
            if message_id in seen:
                sys.exit(f"{where}: {message_id!r} is given twice")
            seen.add(message_id)
            entries.append((message_id, text))
    return entries


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    owner, output, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    lines = [
        f"// The books of {owner}, made by labs/words.py from "
        + ", ".join(os.path.relpath(p) for p in paths)
        + ". Edit those, not this.",
        '#include "voice/book.hpp"',
        "",
        "namespace {",
    ]
    for path in paths:
        lang = os.path.basename(os.path.dirname(os.path.abspath(path)))
        name = "words_" + lang.replace("-", "_")
        lines.append(f"constexpr lab::translation {name}[] = {{")
        for message_id, text in read_book(path):
            lines.append(f"    {{{literal(message_id)}, {literal(text)}}},")
        lines.append("};")
        lines.append(f"const lab::enrol_book {name}_book({literal(owner)}, {literal(lang)}, {name});")
    lines.append("}  // namespace")
    with open(output, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
