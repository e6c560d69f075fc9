"""A typed TypeScript client can be generated from the document.

The document (as ``jiujinban openapi`` writes it) goes through ``openapi-typescript``, then
``tsc --noEmit`` checks ``typescript/client.ts``, which uses the generated types the way a client
team would: the request and 201 answer of POST /api/v1/cases, and a problem document whose
``code`` is an enum. Both tools come from package-lock.json (``scripts/install-frontend.sh``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "node_modules" / ".bin"
CLIENT = Path(__file__).resolve().parent / "typescript"


def _tool(name: str) -> Path:
    path = TOOLS / name
    if not path.exists() or shutil.which("node") is None:
        pytest.fail(f"{path} is missing: run scripts/install-frontend.sh (make setup)")
    return path


def _run(*command: str | Path, cwd: Path) -> None:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout}\n{done.stderr}"


def test_openapi_typescript_generates_types_a_client_compiles_against(
    openapi_file: Path, tmp_path: Path
) -> None:
    generate, tsc = _tool("openapi-typescript"), _tool("tsc")
    for name in ("client.ts", "tsconfig.json"):
        shutil.copy(CLIENT / name, tmp_path / name)
    _run(generate, openapi_file, "--output", tmp_path / "api.d.ts", cwd=tmp_path)
    assert "export interface paths" in (tmp_path / "api.d.ts").read_text(encoding="utf-8")
    _run(tsc, "--project", tmp_path / "tsconfig.json", cwd=tmp_path)
