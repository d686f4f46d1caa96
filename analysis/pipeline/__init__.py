"""The build: one module per cached step (`extract_step`, `geometry_step`, `proximity_step`),
their cache keys (`keys`), the inputs (`inputs`), the manifest (`manifest`) and the
orchestration (`build.build`, `build.recluster`, `build.build_from_manifest`).

Rule: imports the rooms below it (extraction, scoring, geometry, artifacts, flags, config,
progress); never `use` or `cli`. The orchestrator only calls steps; a step holds no scoring
or model code of its own.
"""
