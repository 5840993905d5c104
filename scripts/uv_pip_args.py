"""Print, one per line, the `uv pip install` arguments that give uv the package sources pip is configured with.

uv does not read pip's configuration (pip.conf files, PIP_* variables), so the set-up script passes on what
`pip config list` reports: `index-url` (the most specific scope wins), every `extra-index-url`, `find-links`
and `constraint` (all scopes), and `cert` as `SSL_CERT_FILE=...` on a line of its own (an environment variable
for uv, not an argument). With no pip configuration it prints nothing and uv uses PyPI, as pip would.

Usage: python scripts/uv_pip_args.py   (run by scripts/setup.sh with the virtual environment's Python)
"""

from __future__ import annotations

import re
import subprocess
import sys

CONFIG_LINE = re.compile(r"^(?P<scope>[^.]*)\.(?P<key>[a-z-]+)='(?P<value>.*)'$")
LIST_OPTIONS = {"extra-index-url": "--extra-index-url", "find-links": "--find-links", "constraint": "--constraint"}
SCOPE_ORDER = ("global", "user", "site", ":env:")  # pip's precedence, lowest first


def pip_config(lines: list[str]) -> dict[str, list[tuple[str, str]]]:
    """`pip config list` lines → {key: [(scope, value), ...]} in pip's precedence order, lowest first."""
    found: dict[str, list[tuple[str, str]]] = {}
    for line in lines:
        match = CONFIG_LINE.match(line.strip())
        if match:
            found.setdefault(match["key"], []).append((match["scope"], match["value"]))
    rank = {scope: index for index, scope in enumerate(SCOPE_ORDER)}
    return {key: sorted(values, key=lambda item: rank.get(item[0], 0)) for key, values in found.items()}


def uv_lines(config: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The arguments (and an SSL_CERT_FILE line) for uv that reproduce the pip configuration `config`."""
    lines: list[str] = []
    if config.get("index-url"):
        lines += ["--index-url", config["index-url"][-1][1]]
    for key, option in LIST_OPTIONS.items():
        seen: list[str] = []
        for _, value in config.get(key, []):
            seen += [item for item in value.split() if item not in seen]
        for item in seen:
            lines += [option, item]
    if config.get("cert"):
        lines.append(f"SSL_CERT_FILE={config['cert'][-1][1]}")
    return lines


def main() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], check=True, capture_output=True, text=True
    ).stdout
    print("\n".join(uv_lines(pip_config(listed.splitlines()))))


if __name__ == "__main__":
    main()
