"""On-disk formats and readers: every file name and format version (`layout`), the input
reader (`inputs`), the step cache and the one atomic-folder writer (`cache`), the analysis
reader (`folder.Analysis`), its listing (`catalog`), token reads, the sparse-code matrix and
the compact decoder.

Rule: imports nothing of the project (only third-party readers: polars, numpy, safetensors,
filelock). A new input format goes in `inputs`; a new file of an analysis is named in `layout`.
"""
