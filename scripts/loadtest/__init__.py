"""Helpers of ``scripts/load_test.py``: the orders and their book, the per-order verdict, the
sandbox run as a separate process (killed and restarted), and the harsh profile.

- ``book``: the orders a run cancels (`Planned`: request, kind, the order's key in the book) and
  the sandbox's book as ``{key: status}``.
- ``verdict``: every order's reported outcome against the book, as a table and a CSV.
- ``process``: the sandbox in a child process with a journal (durable book), SIGKILL, restart.
- ``harsh``: the harsh profile and its run.
"""
