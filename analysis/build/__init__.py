"""The build's cached steps (extract, geometry, clusters, proximity), their keys, the manifest, and the orchestration. Imports every room below it; nothing above."""
