"""What reads a finished analysis: export and its rules (`export`, `rules`), monitoring a new
batch (`monitor`, `monitor_runs`), evaluation against labels (`evaluate`), the stakeholder
report (`report`, `report_figures`), explanations (`explain`), map selections (`selection`)
and the shared palette and number formatting.

Rule: opens analyses through `analysis.artifacts.folder.Analysis`; may import every room
below it (`pipeline` only to rebuild a missing analysis on `reapply`); never `cli`.
"""
