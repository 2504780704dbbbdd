"""The Python side of the SnakeBridge runtime, run as a script in the user's interpreter.

`snakebridge_worker.py` (with its codec `snakebridge_etf.py`) needs only the standard
library and Python >= 3.8; the Elixir runtime starts it with the environment's own
interpreter. This package exists so the files ship with the distribution.
"""

from pathlib import Path

#: The script the Elixir runtime runs (SNAKEBRIDGE_WORKER points a deployment at it).
WORKER_SCRIPT = Path(__file__).resolve().parent / "snakebridge_worker.py"
