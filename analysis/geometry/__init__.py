"""Maps and clusters: UMAP, HDBSCAN and their backends, on arrays. Imports `analysis.config` only."""
