#!/usr/bin/python3
"""bench/plot_scaling.py — draws bench/scaling.png from bench/scaling.csv (bench/perf.sh writes both).

    /usr/bin/python3 bench/plot_scaling.py bench/scaling.csv bench/scaling.png

Four panels: wall time and requests sent against the number of images (small images sharing one
base) and against bytes (one image of one layer), for airgap bundle, airgap mirror, skopeo (into an
oci: layout + tar, and registry to registry) and the write and pipe floors. Log-log axes: a
straight line of slope 1 is linear cost; right of each panel, each procedure's slope: the cost of one
more image or GB, from a least-squares line through its points. Needs Debian's python3-matplotlib.
"""

import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

csv_path, png_path = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(csv_path)))

# procedure: (legend, short name, colour, line style, marker)
STYLE = {
    "bundle-cold": ("airgap bundle (cold)", "bundle", "#1f5fbf", "-", "o"),
    "mirror-cold": ("airgap mirror (cold)", "mirror", "#c0392b", "-", "o"),
    "skopeo-oci": ("skopeo → oci: + tar, per image", "skopeo oci", "#7fa7e6", "--", "s"),
    "skopeo-copy": ("skopeo copy → registry, per image", "skopeo copy", "#ec8f84", "--", "s"),
    "floor-write": ("write floor (curl → files)", "write floor", "#9a9a9a", ":", "v"),
    "floor-pipe": ("pipe floor (curl GET | PUT)", "pipe floor", "#555555", ":", "^"),
}


def series(axis, proc, field):
    pts = sorted((int(r["images"]) if axis == "images" else int(r["bytes"]) / 1e9, float(r[field]),
                  float(r["wall_min_s"]), float(r["wall_max_s"]))
                 for r in rows if r["axis"] == axis and r["procedure"] == proc)
    return pts


def slope(axis, proc, field):
    """The slope of the least-squares line through the points (linear axes)."""
    pts = [(p[0], p[1]) for p in series(axis, proc, field)]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else None


fig, axes = plt.subplots(2, 2, figsize=(14, 10.5))
panels = [
    (axes[0][0], "images", "wall_s", "Wall time against the number of images",
     "images (small, sharing one 5 MiB base)", "wall time (s)"),
    (axes[0][1], "bytes", "wall_s", "Wall time against bytes",
     "unique bytes (GB, one image of one layer)", "wall time (s)"),
    (axes[1][0], "images", "requests", "Requests sent against the number of images",
     "images (small, sharing one 5 MiB base)", "HTTP requests (source + destination)"),
    (axes[1][1], "bytes", "requests", "Requests sent against bytes",
     "unique bytes (GB, one image of one layer)", "HTTP requests (source + destination)"),
]


def slope_text(axis, field, m):
    if field == "requests" and abs(m) < 0.05:
        return "flat"
    if field == "wall_s" and axis == "images":
        return f"{m * 1000:.1f} ms/image"
    if field == "wall_s":
        return f"{m:.2f} s/GB" + (f" = {1 / m * 1000:.0f} MB/s" if m > 0 else "")
    if axis == "images":
        return f"{m:.1f} req/image"
    return f"{m:.1f} req/GB"


handles = {}
for ax, axis, field, title, xlabel, ylabel in panels:
    ends = []  # (y of the last point, text, colour)
    for proc, (name, short, colour, style, marker) in STYLE.items():
        pts = series(axis, proc, field)
        if not pts:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        (line,) = ax.plot(xs, ys, linestyle=style, marker=marker, color=colour, linewidth=1.8, markersize=6)
        handles[proc] = line
        if field == "wall_s" and any(p[2] != p[3] for p in pts):
            # The spread of the runs, fastest to slowest.
            ax.fill_between(xs, [p[2] for p in pts], [p[3] for p in pts], color=colour, alpha=0.12, linewidth=0)
        m = slope(axis, proc, field)
        if m is not None:
            ends.append((xs[-1], ys[-1], f"{short}: {slope_text(axis, field, m)}", colour))
    if not ends and not handles:
        ax.set_visible(False)
        continue
    ax.set_xscale("log")
    values = [p[1] for proc in STYLE for p in series(axis, proc, field) if p[1] > 0]
    # Log where the values span more than a decade; flat series (requests against bytes) read
    # better on a linear axis from 0.
    log_y = bool(values) and max(values) / min(values) > 10
    if log_y:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    else:
        ax.set_ylim(0, max(values) * 1.15 if values else 1)
    ticks = sorted({p[0] for proc in STYLE for p in series(axis, proc, field)})
    ax.set_xticks(ticks)
    ax.set_xlim(ticks[0] / 1.4, ticks[-1] * 1.4)
    ax.xaxis.set_major_formatter(FuncFormatter(
        (lambda v, _: f"{v:g}") if axis == "images" else (lambda v, _: f"{v:.2g}")))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.set_title(title, fontsize=12)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", alpha=0.12)
    # The marginal cost between the two largest points, written right of each line's end, the
    # labels pushed apart so that none overlaps another.
    fig.canvas.draw()
    to_axes = ax.transAxes.inverted()
    placed = []
    for x, y, text, colour in ends:
        ax_x, ax_y = to_axes.transform(ax.transData.transform((x, y)))
        placed.append([ax_y, ax_x, text, colour])
    placed.sort()
    gap = 0.055
    for i in range(1, len(placed)):
        placed[i][0] = max(placed[i][0], placed[i - 1][0] + gap)
    if placed and placed[-1][0] > 0.97:
        shift = placed[-1][0] - 0.97
        for p in placed:
            p[0] -= shift
        for i in range(len(placed) - 2, -1, -1):
            placed[i][0] = min(placed[i][0], placed[i + 1][0] - gap)
    for label_y, _, text, colour in placed:
        ax.text(1.02, label_y, text, transform=ax.transAxes, fontsize=8, color=colour, va="center")

# Filled column by column: the rows read airgap, skopeo, floor for bundle and then for mirror.
order = ["bundle-cold", "mirror-cold", "skopeo-oci", "skopeo-copy", "floor-write", "floor-pipe"]
fig.legend([handles[p] for p in order if p in handles], [STYLE[p][0] for p in order if p in handles],
           loc="lower center", ncol=3, fontsize=10, frameon=False)
fig.suptitle("How cost grows: airgap against skopeo and the floors\n"
             "medians (band: fastest to slowest run); right of each panel: the slope of a straight line fitted "
             "through the points (least squares)", fontsize=12)
fig.tight_layout(rect=(0, 0.06, 1, 0.95), w_pad=12, h_pad=2)
fig.savefig(png_path, dpi=110)
