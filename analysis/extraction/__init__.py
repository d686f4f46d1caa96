"""Models in, activations out: windows over long texts (`windows`), the activation sources
(`sources`: the embedded encoder, any sae-lens model), SAEs (`sae`: train, load, decode),
encoding and pooling (`encode`), the streaming loop (`stream`), the extraction step's writer
(`writer`) and the Ray Data engine (`ray_engine`).

Rule: the only room that imports torch, transformers and sae-lens; imports `analysis.config`
and `analysis.artifacts`; independent of `scoring` and `geometry`. A new model family goes here.
"""
