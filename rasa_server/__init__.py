"""Runs inside the Rasa environment (.venv-rasa): the Role Guide's own additions to Rasa 3.6.

- `python -m rasa_server run ...` is the `rasa` command with our fixes for work Rasa
  repeats on every turn applied first (speedups.py);
- tracker_store.py is the SQL tracker store endpoints.yml names.

Nothing here is imported by the bot or the action server (they live in the other environment).
"""
