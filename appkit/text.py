"""Show dataset text safely: never as markdown or HTML, always escaped when wrapped in markup."""

from __future__ import annotations

import html

import polars as pl

HIGHLIGHT_RGB = "228, 87, 86"  # the toxic-reference red, so "hot" tokens read as toxic-ward


MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!<>|~$:")


def escape_markdown(text: object) -> str:
    """Text from the data (file names, labels, ids) placed inside Streamlit markdown
    (captions, alerts, labels): every markdown character is escaped, so it shows as typed."""
    return "".join(f"\\{char}" if char in MARKDOWN_SPECIAL else char for char in str(text))


def truncate(text: str | None, limit: int = 120) -> str:
    if text is None:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def truncate_expr(column: str, limit: int = 120) -> pl.Expr:
    """Polars version of `truncate` for whole columns (whitespace folded, ellipsis added)."""
    flat = pl.col(column).fill_null("").str.replace_all(r"\s+", " ").str.strip_chars()
    return (
        pl.when(flat.str.len_chars() > limit)
        .then(flat.str.slice(0, limit - 1) + "…")
        .otherwise(flat)
        .alias(column)
    )


def escape_plotly(text: object) -> str:
    """Text from the data placed in a plotly label (trace name, tick, title, annotation):
    plotly renders a subset of HTML there (`<b>`, `<a href>`), and decodes entities back, so
    escaping shows the text exactly as typed and never as markup or a link."""
    return html.escape(str(text), quote=False)


def escape_expr(text: pl.Expr) -> pl.Expr:
    """HTML-escape a string column (plotly hover labels render a subset of HTML)."""
    return (
        text.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def hover_expr(column: str, limit: int = 90) -> pl.Expr:
    """Truncated, HTML-escaped text for plotly hover labels."""
    return escape_expr(truncate_expr(column, limit))


def token_activation(tokens: pl.DataFrame, feature: int) -> pl.DataFrame:
    """`start`, `end`, `token`, `activation` of one sample's tokens for one latent (0 where absent)."""
    if tokens.is_empty():
        return pl.DataFrame(schema={"position": pl.Int32, "start": pl.Int32, "end": pl.Int32, "token": pl.String, "activation": pl.Float64})
    per_token = (
        tokens.select("position", "features", "values")
        .explode("features", "values")
        .filter(pl.col("features") == feature)
        .group_by("position")
        .agg(pl.col("values").max().cast(pl.Float64).alias("activation"))
    )
    return (
        tokens.select("position", "start", "end", "token")
        .join(per_token, on="position", how="left")
        .with_columns(pl.col("activation").fill_null(0.0))
        .sort("position")
    )


def highlighted_html(text: str, token_activations: pl.DataFrame, scale: float | None = None) -> str:
    """The text with each token's background shaded by its activation; every piece escaped.

    Character spans come from tokens.parquet; gaps between tokens (spaces, newlines) are
    copied from the text itself so the reader sees exactly what the model read.
    """
    pieces: list[str] = []
    cursor = 0
    rows = token_activations.select("start", "end", "activation").rows()
    peak = scale if scale and scale > 0 else max((row[2] for row in rows), default=0.0)
    for start, end, activation in rows:
        # an empty span is a chat template's markup token: nothing of the text to shade
        if start is None or end is None or start < cursor or end > len(text) or end <= start:
            continue
        if start > cursor:
            pieces.append(html.escape(text[cursor:start]))
        piece = html.escape(text[start:end])
        if activation and peak > 0:
            alpha = min(activation / peak, 1.0) * 0.85 + 0.1
            pieces.append(
                f'<span title="{activation:.3g}" style="background: rgba({HIGHLIGHT_RGB}, {alpha:.2f}); '
                f'border-radius: 3px; padding: 0 1px">{piece}</span>'
            )
        else:
            pieces.append(piece)
        cursor = end
    if cursor < len(text):
        pieces.append(html.escape(text[cursor:]))
    body = "".join(pieces)
    return (
        '<div style="white-space: pre-wrap; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; '
        'font-size: 0.85rem; line-height: 1.6; border: 1px solid rgba(128,128,128,0.3); '
        f'border-radius: 6px; padding: 0.6rem 0.8rem; max-height: 22rem; overflow-y: auto">{body}</div>'
    )
