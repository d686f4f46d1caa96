"""On-disk formats and readers: file names and format versions, the input reader, the step cache and atomic folders, the analysis reader. Imports nothing of the project but `analysis.config`."""
