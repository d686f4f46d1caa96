"""The command line: flags to config to one library call, no logic of its own. May import every room."""
