"""Running code in the Rasa environment (.venv-rasa) from the tests, which run in the app's."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from tools.stack import RASA_PYTHON, ROOT


def last_json_line(*args: str, timeout: float = 900) -> dict[str, Any]:
    """Run `.venv-rasa/bin/python *args` from the project root; the JSON its last line prints."""
    result = subprocess.run(
        [str(RASA_PYTHON), *args],
        cwd=ROOT,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
