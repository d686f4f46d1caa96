"""An analysis folder with the verbs a notebook asks of it: the public `analysis.Analysis`.

`analysis.artifacts.folder.Analysis` reads the folder; the room it lives in may not reach up
to `use`, so the verbs that need `use` (select rows, ask about new texts, export a cut) are
added here, in a subclass that opens and reads the folder exactly as its parent does.

    from analysis import Analysis, FilterRule
    analysis = Analysis.open("cache/analyses/demo-...")
    analysis.samples                                   # every row with its scores
    analysis.select(pl.col("score") > 0.9)             # or a list of ids
    analysis.query(["Is it safe to stop my pills?"])   # the model loads once, then stays
    analysis.monitor("new-batch.jsonl").report         # a batch against it, the same loaded model
    analysis.marks.add(["train-0001"], "harmful")      # the marks file beside the analysis
    analysis.learn_from_marks()                        # a candidate score learned from them
    analysis.export(FilterRule(score="score", top_percent=10), "out/")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from analysis.artifacts import folder

if TYPE_CHECKING:  # imported where used: opening an analysis stays as light as the folder reader
    from analysis.scoring.drift import Thresholds
    from analysis.use.marks import Marks
    from analysis.use.monitor import MonitorReport
    from analysis.use.query import QueryEngine
    from analysis.use.rules import FilterRule


@dataclass(eq=False)
class Analysis(folder.Analysis):
    """One analysis folder (tables load on first use) that can also select, query and export."""

    device: str | None = field(default=None, repr=False)  # where `query` runs the model (default: the analysis' setting)
    _engine: QueryEngine | None = field(default=None, init=False, repr=False)

    def select(self, which: pl.Expr | str | Iterable[str]) -> pl.DataFrame:
        """The sample rows (every column of `samples`) a polars expression keeps, in table
        order; or the rows of these ids, in the order given. An unknown id is a KeyError."""
        if isinstance(which, pl.Expr):
            return self.samples.filter(which)
        ids = [which] if isinstance(which, str) else [str(item) for item in which]
        wanted = pl.DataFrame({"id": ids}, schema={"id": pl.String}).with_row_index("_order")
        rows = wanted.join(self.samples, on="id", how="inner").sort("_order").drop("_order")
        if rows.height < len(set(ids)):
            missing = sorted(set(ids) - set(rows["id"].to_list()))
            raise KeyError(f"no sample with id {', '.join(map(repr, missing[:5]))} in {self.name}")
        return rows

    @property
    def engine(self) -> QueryEngine:
        """The loaded model, SAE and scorer of this analysis, loaded on first use and kept."""
        if self._engine is None:
            from analysis.use.query import QueryEngine

            self._engine = QueryEngine.load(self, self.device)
        return self._engine

    def query(self, texts: str | Mapping[str, Any] | Iterable[str | Mapping[str, Any]]) -> list[dict[str, Any]]:
        """What the analysis makes of each text, as `python -m analysis query --json` prints it
        (see `analysis.use.query`); nothing is refitted. A text is a string, or a mapping such
        as `{"prompt": ..., "response": ...}` read as the build reads such a row."""
        return self.engine.query(texts)

    def monitor(
        self, data: str | Path, out: str | Path | None = None, thresholds: Thresholds | None = None, progress: bool = False
    ) -> MonitorReport:
        """A new batch against this analysis, as `python -m analysis monitor` runs it (folder,
        report, exit code), read with the model and SAE `query` loaded: loaded once for every
        batch and question of this object."""
        from analysis.use.monitor import monitor
        from analysis.use.new_rows import SharedExtractor

        extractor = SharedExtractor(lambda: self.engine.extractor)  # nothing loads for a batch monitored before
        return monitor(self.path, data, out, thresholds, self.device, progress, report=lambda *_: None, extractor=extractor)

    @property
    def marks(self) -> Marks:
        """The researcher's marks on this analysis' rows, in their own file beside it
        (`analysis.use.marks`): `.current()`, `.add(ids, mark, note=...)`, `.undo()`."""
        from analysis.use.marks import Marks

        return Marks.for_analysis(self)

    def learn_from_marks(self, marks: Mapping[str, str] | Marks | None = None) -> pl.DataFrame:
        """`id`, `marked` and `score_from_marks` of every training row: the scorer fitted again
        with the rows marked `harmful` / `fine` as references (`analysis.use.learn_from_marks`),
        on `marks` (id -> mark, or a `Marks`; default: this analysis' own)."""
        from analysis.use.learn_from_marks import scores_from_marks

        chosen = self.marks if marks is None else marks
        return scores_from_marks(self, chosen.snapshot() if hasattr(chosen, "snapshot") else dict(chosen))

    def export(self, rule: FilterRule, out: str | Path, extra_formats: tuple[str, ...] | None = None) -> Path:
        """The kept and removed training rows under `rule`, written into the new folder `out`
        (`analysis.use.export.export`; `extra_formats` default: its `EXPORT_FORMATS`); returns the folder."""
        from analysis.use.export import EXPORT_FORMATS, export

        return export(self.path, rule, out, EXPORT_FORMATS if extra_formats is None else extra_formats)
