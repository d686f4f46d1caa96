"""The command line (`python -m analysis ...`): flags to config to one library call, no logic
of its own. One parser (`main`), build flags generated from `analysis.flags`. A new command
is one `_add_<name>_parser` function and one small run function in `main`.

Rule: may import every room; nothing in the library imports it (the app runs it as a process).
"""
