"""What reads a finished analysis: export and its rules (`export`, `rules`), monitoring a new
batch (`monitor`, `monitor_runs`), asking about any text (`query`), what both share (reading,
scoring and placing new rows: `new_rows`), evaluation against labels (`evaluate`), a
researcher's marks on rows (`marks`), the stakeholder report (`report`, `report_figures`),
explanations (`explain`), map selections (`selection`), the notebook's `Analysis` (`notebook`)
and the shared palette and number formatting.

Rule: opens analyses through `analysis.artifacts.folder.Analysis`; may import every room
below it (`pipeline` only to rebuild a missing analysis on `reapply`); never `cli`.
"""
