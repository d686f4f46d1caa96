"""Feature-geometry analysis of fine-tuning data: SAE features, maps, clusters, proximity scores.

The library behind the Streamlit app; usable on its own (`python -m analysis ...`).
Heavy libraries (torch, transformers, umap) are imported only by the steps that need them,
so that reading a cached analysis stays fast.
"""

__version__ = "0.1.0"
