#!/usr/bin/env python3
"""Checks the links between the repository's Markdown pages.

    python3 tests/scripts/check_links.py [repository root]

Every relative link in README.md, docs/*.md and the other tracked Markdown files must name a
file or folder that exists, and a `#fragment` must name a heading of the page it points to
(GitHub's anchors: lower case, punctuation dropped, spaces as hyphens). Links to web
addresses are not fetched. Prints each broken link with its file and line, and exits
non-zero when there is one.
"""

import re
import subprocess
import sys
from pathlib import Path

LINK = re.compile(r"(?<!\!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def anchor(heading: str) -> str:
    text = re.sub(r"`([^`]*)`", r"\1", heading)            # code spans keep their text
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)   # links keep their text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)                   # punctuation goes
    return text.replace(" ", "-")


def lines_outside_code(path: Path):
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def anchors_of(path: Path, cache={}):
    if path not in cache:
        seen = {}
        found = set()
        for _, line in lines_outside_code(path):
            m = HEADING.match(line)
            if m:
                base = anchor(m.group(2))
                count = seen.get(base, 0)
                found.add(base if count == 0 else f"{base}-{count}")
                seen[base] = count + 1
        cache[path] = found
    return cache[path]


def markdown_files(root: Path):
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "*.md"],
                            capture_output=True, text=True, check=False)
    if listed.returncode == 0 and listed.stdout.strip():
        return [root / name for name in listed.stdout.split()]
    return sorted(p for p in root.rglob("*.md") if "build" not in p.parts)


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
    broken = []
    checked = 0
    for page in markdown_files(root):
        for number, line in lines_outside_code(page):
            line = re.sub(r"`[^`]*`", "", line)  # a link inside a code span is text
            for m in list(LINK.finditer(line)) + list(IMAGE.finditer(line)):
                target = m.group(1)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
                    continue
                checked += 1
                path_part, _, fragment = target.partition("#")
                dest = (page.parent / path_part).resolve() if path_part else page
                where = f"{page.relative_to(root)}:{number}"
                if not dest.exists():
                    broken.append(f"{where}: {target}: no such file")
                elif fragment and dest.suffix == ".md" and fragment not in anchors_of(dest):
                    broken.append(f"{where}: {target}: no heading with anchor #{fragment}")
    for line in broken:
        print(line)
    print(f"check_links: {checked} links checked, {len(broken)} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
