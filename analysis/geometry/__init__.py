"""Maps and clusters on arrays: UMAP and SVD (`embedding`), HDBSCAN (`clustering`) and the
CPU/cuML backend choice (`backend`), which every call returns instead of remembering it.

Rule: imports `analysis.config` only; independent of `scoring` and `extraction`.
"""
