"""The Jupyter view of an array: Dask's table of sizes beside a picture of the chunks."""

from __future__ import annotations

import html


def _human(n: int) -> str:
    for unit in ("B", "kiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1024
    return f"{n} B"


def _svg(chunks: tuple[tuple[int, ...], ...], size: int = 120) -> str:
    """The last two axes' block boundaries as a grid (one axis: a strip)."""
    if not chunks:
        return ""
    rows = chunks[-2] if len(chunks) >= 2 else (1,)
    cols = chunks[-1]
    total_r, total_c = max(sum(rows), 1), max(sum(cols), 1)
    scale = size / max(total_r, total_c)
    w = max(total_c * scale, 8)
    h = max(total_r * scale, 8) if len(chunks) >= 2 else 25
    lines = []
    x = 0.0
    # At most 100 lines per axis, as Dask draws them.
    for c in (0, *cols)[:101]:
        x += c * (w / total_c)
        lines.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{h:.1f}" />')
    y = 0.0
    for r in (0, *rows)[:101]:
        y += r * (h / total_r)
        lines.append(f'<line x1="0" y1="{y:.1f}" x2="{w:.1f}" y2="{y:.1f}" />')
    return (
        f'<svg width="{w + 2:.0f}" height="{h + 2:.0f}" style="stroke:rgb(0,0,0);stroke-width:1">'
        f'<polygon points="0,0 {w:.1f},0 {w:.1f},{h:.1f} 0,{h:.1f}" '
        'style="fill:#ECB172A0;stroke-width:0"/>' + "".join(lines) + "</svg>"
    )


def repr_html(x) -> str:
    chunk_bytes = x.itemsize
    for c in x.chunksize:
        chunk_bytes *= c
    rows = [
        ("Bytes", _human(x.nbytes), _human(chunk_bytes)),
        ("Shape", str(x.shape), str(x.chunksize)),
        ("Blocks", f"{x.npartitions} blocks in a grid of {x.numblocks}", ""),
        ("Type", str(x.dtype), "numpy.ndarray"),
    ]
    body = "".join(
        f"<tr><th>{html.escape(a)}</th><td>{html.escape(b)}</td><td>{html.escape(c)}</td></tr>"
        for a, b, c in rows
    )
    table = (
        "<table><thead><tr><td></td><th>Array</th><th>Chunk</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
    return (
        '<table><tr><td style="vertical-align:top">' + table + "</td>"
        '<td style="vertical-align:middle">' + _svg(x.chunks) + "</td></tr></table>"
    )
