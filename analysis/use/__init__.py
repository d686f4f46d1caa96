"""What reads a finished analysis and writes a new folder or view: export, monitor, evaluate, report, explanations, map selections. Imports every room below it."""
