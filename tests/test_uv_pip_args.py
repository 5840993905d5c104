"""scripts/uv_pip_args.py: pip's configuration handed to uv as arguments (and the CA bundle as SSL_CERT_FILE)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("uv_pip_args", ROOT / "scripts/uv_pip_args.py")
assert SPEC is not None and SPEC.loader is not None
uv_pip_args = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(uv_pip_args)


def test_every_source_is_passed_on_and_the_most_specific_index_url_wins() -> None:
    listed = [
        ":env:.index-url='https://mirror.example/simple'",
        "global.index-url='https://pypi.org/simple'",
        "global.extra-index-url='file:///opt/a/simple file:///opt/b/simple'",
        "user.extra-index-url='file:///opt/b/simple'",
        ":env:.find-links='/opt/wheels'",
        "global.find-links='/opt/wheels'",
        "global.constraint='/etc/pip/constraints.txt'",
        "global.cert='/etc/ssl/ca.crt'",
        "global.timeout='60'",
        "not a config line",
    ]
    assert uv_pip_args.uv_lines(uv_pip_args.pip_config(listed)) == [
        "--index-url",
        "https://mirror.example/simple",
        "--extra-index-url",
        "file:///opt/a/simple",
        "--extra-index-url",
        "file:///opt/b/simple",
        "--find-links",
        "/opt/wheels",
        "--constraint",
        "/etc/pip/constraints.txt",
        "SSL_CERT_FILE=/etc/ssl/ca.crt",
    ]


def test_no_pip_configuration_gives_no_arguments() -> None:
    assert uv_pip_args.uv_lines(uv_pip_args.pip_config([])) == []


def test_the_script_passes_on_this_machines_pip_configuration() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    printed = subprocess.run(
        [sys.executable, str(ROOT / "scripts/uv_pip_args.py")], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    assert printed == uv_pip_args.uv_lines(uv_pip_args.pip_config(listed))
    options = [line for line in printed if line.startswith("--")]
    assert len(options) * 2 == len([line for line in printed if not line.startswith("SSL_CERT_FILE=")])
    for key, option in uv_pip_args.LIST_OPTIONS.items():
        values = {item for line in listed if f".{key}=" in line for item in line.split("=", 1)[1].strip("'").split()}
        assert values == {printed[i + 1] for i, line in enumerate(printed) if line == option}
