"""Arrays in, tables out: the score families, similarity kernels, statistics, the fitted scorer,
its cross-fitting and diagnostics, the proximity tables, baselines and drift.

Modules, each importing only those before it: `families`, `similarity`, `statistics`,
`latents`, `superposition`, `scorer`, `crossfit`, `diagnostics`, `tables`; `baselines` (on
`similarity`) and `drift` (on `statistics`) serve `analysis.use`. Outside this package they
import `analysis.config` and `analysis.artifacts` (file names, format versions, the
activation matrix); never torch, transformers or sae-lens.

Rule: arrays in, tables out; independent of `extraction` and `geometry`. A new score family
is a method of `scorer.ToxicProximity` with its name and label in `families`.
"""
