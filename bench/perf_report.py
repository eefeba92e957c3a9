#!/usr/bin/env python3
"""bench/perf_report.py — writes bench/perf.sh's two BENCHMARKS.md sections and the scaling CSV
from its raw measurements (stdlib only).

    perf_report.py RESULTS META PERF_MD SCALING_MD SCALING_CSV PLOT_REL

RESULTS: bench/perf.sh's raw file (see its header). META: KEY=VALUE lines about the run. PERF_MD
and SCALING_MD: the sections to write, markers included (SCALING_MD left empty when the run had
no scaling sets). SCALING_CSV: the plot's input. PLOT_REL: the directory of scaling.png and
scaling.csv relative to BENCHMARKS.md, for the links.
"""

import csv
import statistics
import sys
from collections import defaultdict

results_path, meta_path, perf_md, scaling_md, scaling_csv, plot_rel = sys.argv[1:7]

# ------------------------------------------------------------------------------------------------
# Reading

META = {}
for line in open(meta_path):
    key, _, value = line.rstrip("\n").partition("=")
    META[key] = value
CORES = int(META["CORES"])
RUNS = int(META["RUNS"])
SETS = META["SETS"].split()
SCALE_SETS = META["SCALE_SETS"].split()
TOKEN_SETS = META.get("TOKEN_SETS", "").split()
RESULTS_NAME = META["RESULTS_NAME"]

RUN = defaultdict(list)      # label -> [(wall, user, sys, rss_kib, registry_cpu)]
EXTRA = defaultdict(list)    # "kind:label" -> [value]
REQ = defaultdict(lambda: defaultdict(int))  # (label, round) -> {(registry, kind, method): n}
CHECKS, SAID = [], {}
DENIED = defaultdict(int)    # (label, round, registry) -> requests answered 401
TOKENS = {}                  # (label, round) -> token requests at the issuer
for line in open(results_path):
    f = line.split()
    if not f:
        continue
    if f[0] == "requests":
        REQ[(f[1], int(f[2]))][(f[3], f[4], f[5])] += int(f[6])
    elif f[0] == "denied":
        DENIED[(f[1], int(f[2]), f[3])] += int(f[4])
    elif f[0] == "tokens":
        TOKENS[(f[1], int(f[2]))] = int(f[3])
    elif f[0] == "check":
        CHECKS.append((f[1], " ".join(f[2:])))
    elif f[0] == "said":
        SAID[f[1]] = " ".join(f[2:])
    elif ":" in f[0] and f[0].split(":", 1)[0] in ("src-cpu", "dst-cpu", "wchar", "wbytes", "out", "tok-cpu"):
        EXTRA[f[0]].append(float(f[1]))
    else:
        RUN[f[0]].append(tuple(float(x) for x in f[1:6]))


def has(label):
    return label in RUN


def med(label, field=0):
    """Median of a field (0 wall, 1 user, 2 sys, 3 rss KiB, 4 registry CPU) over the runs."""
    return statistics.median(r[field] for r in RUN[label])


def best(label):
    return min(r[0] for r in RUN[label])


def walls(label):
    return ", ".join(f"{r[0]:.2f}" for r in RUN[label])


def cpu(label):
    return med(label, 1) + med(label, 2)


def xmed(kind, label):
    values = EXTRA.get(f"{kind}:{label}")
    return statistics.median(values) if values else None


def rounds(label):
    return sorted(r for (l, r) in REQ if l == label)


def requests(label, rnd, registry=None, kinds=None):
    return sum(n for (reg, kind, method), n in REQ[(label, rnd)].items()
               if (registry is None or reg == registry) and (kinds is None or kind in kinds))


def req_median(label):
    rs = rounds(label)
    return statistics.median(requests(label, r) for r in rs) if rs else 0


def gb(b):
    """Bytes for a reader: GB from 1 GB, MB from 1 MB, else kB."""
    if b >= 1e9:
        return f"{b / 1e9:.2f} GB"
    if b >= 1e6:
        return f"{b / 1e6:.1f} MB"
    return f"{b / 1e3:.0f} kB"


def mib(b):
    return f"{b / 1048576:.1f} MiB"


def s(x):
    return f"{x:.2f} s"


def set_info(name):
    return (int(META[f"SET_{name}_IMAGES"]), int(META[f"SET_{name}_BLOBS"]),
            int(META[f"SET_{name}_BYTES"]), META[f"SET_{name}_DESC"])


SET_TITLE = {
    "bench8": "8 images",
    "heldout": "held-out-like",
    "catalog": f"{META['CATALOG']} small images",
}

PROCS = [
    ("floor-null", "/dev/null floor: every unique blob once, `curl -o /dev/null`, 4 at a time"),
    ("floor-write", "**write floor**: every unique blob once, `curl -o FILE`, 4 at a time"),
    ("floor-pipe", "**pipe floor**: every unique blob once, `curl` GET piped into a monolithic PUT, 4 at a time"),
    ("bundle-cold", "**airgap bundle cold**: fresh `--cache`"),
    ("bundle-warm", "**airgap bundle warm**: the same again, same `--cache`"),
    ("skopeo-oci", "skopeo: `skopeo copy … oci:DIR:NAME` per image, then `tar -cf`"),
    ("mirror-cold", "**airgap mirror cold**: into a fresh registry"),
    ("mirror-noop", "**airgap mirror no-op**: the same again"),
    ("skopeo-copy", "skopeo copy: `skopeo copy docker://… docker://…` per image, fresh registry"),
]
PROC_TEXT = dict(PROCS)
AIRGAP_PROCS = {"bundle-cold", "bundle-warm", "mirror-cold", "mirror-noop"}


def verdict(ok):
    return "**met**" if ok else "**not met**"


# ------------------------------------------------------------------------------------------------
# Targets and their bounds

TARGETS = []   # (text, set, measured text, best text, ok, bound text or None)
BLOB_KINDS = {"blob", "upload", "mount"}


def bound_text(label, ref_label, factor, ref_name):
    """What stops `label` from reaching factor × ref_label's median wall time."""
    target = factor * med(ref_label)
    own, src, dst = cpu(label), xmed("src-cpu", label) or 0, xmed("dst-cpu", label) or 0
    total = own + src + dst
    lower = total / CORES
    set_name = label.split("/")[0]
    unique = set_info(set_name)[2]
    parts = [f"airgap used {own:.2f} s of CPU (user {med(label, 1):.2f} + sys {med(label, 2):.2f}), "
             f"the source registry {src:.2f} s"]
    if dst:
        parts[0] += f", the destination registry {dst:.2f} s"
    parts.append(f"{total:.2f} s of CPU in all: at least {lower:.2f} s on {CORES} cores, against the "
                 f"target's {target:.2f} s ({factor} × {ref_name}'s {med(ref_label):.2f} s)"
                 + (": **CPU alone rules the target out**" if lower > target else ""))
    wchar, out = xmed("wchar", label), xmed("out", label)
    if wchar is not None:
        t = f"it passed {gb(wchar)} to write() ({wchar / unique:.1f} × the {gb(unique)} of unique blobs)"
        if out is not None:
            t += f" and left {gb(out)} in its output directory"
        parts.append(t)
    ref_own, ref_src, ref_dst = cpu(ref_label), xmed("src-cpu", ref_label) or 0, xmed("dst-cpu", ref_label) or 0
    ref_total = ref_own + ref_src + ref_dst
    ref_wchar = xmed("wchar", ref_label)
    parts.append(f"{ref_name} itself: {ref_own:.2f} s own CPU, registries {ref_src + ref_dst:.2f} s "
                 f"(≥ {ref_total / CORES:.2f} s on {CORES} cores)"
                 + (f", {gb(ref_wchar)} to write()" if ref_wchar is not None else ""))
    return "; ".join(parts) + "."


def ratio_target(text, set_name, label, ref_label, factor, ref_name):
    if not (has(label) and has(ref_label)):
        return
    a, r = med(label), med(ref_label)
    ratio = a / r
    best_ratio = best(label) / best(ref_label)
    ok = ratio <= factor
    TARGETS.append((text, set_name, f"{ratio:.2f} × ({a:.2f} s against {r:.2f} s)", f"{best_ratio:.2f} ×", ok,
                    None if ok else bound_text(label, ref_label, factor, ref_name)))


for set_name in SETS:
    if set_name == "catalog":
        ratio_target("bundle ≤ 0.1 × skopeo one image at a time", set_name,
                     "catalog/bundle-cold", "catalog/skopeo-oci", 0.1, "skopeo")
        ratio_target("mirror ≤ 0.35 × skopeo copy one image at a time", set_name,
                     "catalog/mirror-cold", "catalog/skopeo-copy", 0.35, "skopeo copy")
    else:
        ratio_target("bundle cold ≤ 0.25 × skopeo", set_name,
                     f"{set_name}/bundle-cold", f"{set_name}/skopeo-oci", 0.25, "skopeo")
        ratio_target("bundle cold ≤ 1.5 × write floor", set_name,
                     f"{set_name}/bundle-cold", f"{set_name}/floor-write", 1.5, "the write floor")
        ratio_target("bundle warm ≤ 0.8 × write floor", set_name,
                     f"{set_name}/bundle-warm", f"{set_name}/floor-write", 0.8, "the write floor")
        ratio_target("mirror cold ≤ 1.1 × pipe floor", set_name,
                     f"{set_name}/mirror-cold", f"{set_name}/floor-pipe", 1.1, "the pipe floor")
    label = f"{set_name}/mirror-noop"
    if has(label):
        per_round = [requests(label, r, "dst", BLOB_KINDS) for r in rounds(label)]
        src_round = [requests(label, r, "src", BLOB_KINDS) for r in rounds(label)]
        ok = max(per_round) == 0
        TARGETS.append(("no-op mirror: no blob request", set_name,
                        f"{max(per_round)} blob requests at the destination in the worst run "
                        f"({max(src_round)} at the source)", "every run", ok,
                        None if ok else f"blob requests at the destination per run: {per_round}."))

# RSS: every airgap run, every set, every medium.
airgap_labels = [l for l in RUN if l.split("/")[-1] in AIRGAP_PROCS]
if airgap_labels:
    worst = max(airgap_labels, key=lambda l: max(r[3] for r in RUN[l]))
    peak = max(r[3] for r in RUN[worst]) / 1024
    TARGETS.append(("peak RSS ≤ 64 MiB throughout", "all",
                    f"{peak:.1f} MiB at most ({worst}), over {sum(len(RUN[l]) for l in airgap_labels)} airgap runs",
                    "every run", peak <= 64, None if peak <= 64 else
                    f"the largest peaks: " + ", ".join(
                        f"{l} {max(r[3] for r in RUN[l]) / 1024:.1f} MiB"
                        for l in sorted(airgap_labels, key=lambda l: -max(r[3] for r in RUN[l]))[:5]) + "."))

# ------------------------------------------------------------------------------------------------
# The perf section

out = []
w = out.append
minutes, seconds = divmod(int(META["TOTAL_SECONDS"]), 60)
gen = int(META["GEN_SECONDS"])
scale_runs, disk_runs = int(META["SCALE_RUNS"]), int(META["DISK_RUNS"])

w("<!-- perf benchmark: begin -->")
w("## Each byte once: bundle and mirror against the floors (issue 16)")
w("")
w("(Written by `bench/perf.sh`, which replaces only this section and \"How cost grows\" below; "
  "`bench/run.sh` keeps both when it rewrites the file.)")
w("")
w(f"`airgap bundle` and `airgap mirror` against skopeo and the floors, measured side by side in one run "
  f"on {len(SETS)} image set{'s' if len(SETS) != 1 else ''} served by a local registry. Reproduce with "
  f"`bench/perf.sh` ({minutes} min {seconds} s here" + (f", of which {gen} s generating images, cached for later runs" if gen else "")
  + "). A benchmark, not a test: the numbers depend on the machine and on what else runs on it.")
w("")
w(f"Run on {META['DATE']}. {RUNS} round{'s' if RUNS != 1 else ''}; a figure is the **median of {RUNS} run{'s' if RUNS != 1 else ''}** "
  f"unless it says otherwise; \"best\" is the fastest run. A round runs, for each set in turn, each after `sync`: "
  f"the three floors, airgap bundle cold and warm, skopeo into an oci: layout, airgap mirror cold and no-op, "
  f"skopeo copy. **Outputs, caches and the destination registry's storage are on tmpfs** ({META['SHM']}) for every "
  f"figure except the \"On disk\" table ({disk_runs} run{'s' if disk_runs != 1 else ''}; {META['DISK']}). "
  f"Every blob was read through the source registry once before the first round, so its storage is in the page cache.")
w("")
w("### Setup")
w("")
load_after = META["LOAD_AFTER"]
w(f"- Machine: {META['MACHINE']}. Load average before the run {META['LOAD_BEFORE']}, after {load_after}"
  + (": other work shared the machine, so wall times are noisy (see the best runs, and the CPU columns, which are less so)"
     if max(float(META["LOAD_BEFORE"].split()[0]), float(load_after.split()[0])) > CORES / 2 else "")
  + f"; the benchmark ran at {META['PRIORITY_NOTE']}.")
w(f"- Versions: airgap {META['AIRGAP_VERSION']} ({META['AIRGAP_BUILD']}), {META['SKOPEO_VERSION']}, "
  f"{META['CURL_VERSION']}, {META['REGISTRY_VERSION']}.")
w("- Registries: two of Debian's docker-registry, plain HTTP on 127.0.0.1, filesystem storage, no "
  "authentication (so no token is ever fetched), access logs on (they count every request). The source's "
  "storage is on disk (page cache warm); the destination is emptied (stopped, storage removed, started "
  "again) before every run that copies into it, so nothing of an earlier run is there to skip or mount.")
w("- airgap: `airgap bundle -f LIST --tls-verify=false --cache DIR -o FILE -q` and `airgap mirror -f MAPPING "
  "--tls-verify=false -q` with `XDG_CACHE_HOME` a fresh directory beside the outputs (so a mirror run writes "
  "whatever cache the binary writes by default, and that counts); default `--jobs`.")
w("- skopeo: one `skopeo copy` per image, one after another (`--src-tls-verify=false`, "
  "`--dest-tls-verify=false`); its blob-info cache (containers/image's boltdb, which lets it skip and mount "
  "blobs) starts empty for every measured command and lives beside the outputs"
  + (": as root, bind-mounted over /var/lib/containers/cache in a private mount namespace."
     if META["SKOPEO_ISOLATION"] == "namespace" else ": the user's file is removed first."))
w("- Sets (`SET/NAME:v1`, OCI manifests; each layer a real tar.gz of one file of seeded pseudo-random bytes; "
  "sizes in MiB):")
w("")
w("| Set | Images | Unique blobs | Unique bytes | Images and layers |")
w("|---|---|---|---|---|")
for set_name in SETS:
    n, blobs, size, desc = set_info(set_name)
    w(f"| {set_name} ({SET_TITLE.get(set_name, set_name)}) | {n} | {blobs} | {mib(size)} ({gb(size)}) | {desc} |")
w("")

# Targets
w("### Targets (issue 16)")
w("")
w("| Target | Set | Measured (median) | Best runs | |")
w("|---|---|---|---|---|")
for text, set_name, measured, best_text, ok, _ in TARGETS:
    w(f"| {text} | {set_name} | {measured} | {best_text} | {verdict(ok)} |")
w("")
w("Ratios of medians (wall time), measured in the same rounds; the no-op and RSS targets are judged on every run.")
w("")
unmet = [(t, st, b) for t, st, _, _, ok, b in TARGETS if not ok and b]
if unmet:
    w("**What stops the targets not met** (medians; the CPU of each process from GNU time and /proc; "
      "bytes from /proc/PID/io's wchar, what the command passed to write() into files, pipes and /dev/null, "
      "not sockets):")
    w("")
    for text, set_name, b in unmet:
        w(f"- {text} ({set_name}): {b}")
    w("")

# Wall times
w("### Wall time (tmpfs)")
w("")
w("Median, and in parentheses the best run.")
w("")
w("| Procedure | " + " | ".join(f"{s_} ({SET_TITLE.get(s_, s_)})" for s_ in SETS) + " |")
w("|---|" + "---|" * len(SETS))
for proc, text in PROCS:
    cells = []
    for set_name in SETS:
        label = f"{set_name}/{proc}"
        cells.append(f"{med(label):.2f} s ({best(label):.2f})" if has(label) else "–")
    w(f"| {text} | " + " | ".join(cells) + " |")
w("")
w("The floors move each unique blob once and check nothing. The write and /dev/null floors are one curl "
  "(`--parallel --parallel-max 4`, connections reused); the pipe floor starts a `curl -X POST`, a `curl` GET and a "
  "`curl -T -` PUT (and a bash) per blob, which for the catalog's 4 KiB blobs costs far more than the bytes: "
  "there it is no floor, and the catalog's mirror target is against skopeo instead.")
w("")
w("Each run's wall time (s): " + "; ".join(
    f"{set_name} {proc} {walls(f'{set_name}/{proc}')}"
    for set_name in SETS for proc, _ in PROCS if has(f"{set_name}/{proc}")) + ".")
w("")
w("Ratios (medians): " + "; ".join(
    f"{set_name}: bundle cold / skopeo {med(f'{set_name}/bundle-cold') / med(f'{set_name}/skopeo-oci'):.2f}, "
    f"bundle cold / write floor {med(f'{set_name}/bundle-cold') / med(f'{set_name}/floor-write'):.2f}, "
    f"bundle warm / write floor {med(f'{set_name}/bundle-warm') / med(f'{set_name}/floor-write'):.2f}, "
    f"mirror cold / pipe floor {med(f'{set_name}/mirror-cold') / med(f'{set_name}/floor-pipe'):.2f}, "
    f"mirror cold / skopeo copy {med(f'{set_name}/mirror-cold') / med(f'{set_name}/skopeo-copy'):.2f}"
    for set_name in SETS if all(has(f"{set_name}/{p}") for p in
                                ("bundle-cold", "skopeo-oci", "floor-write", "bundle-warm", "mirror-cold", "floor-pipe", "skopeo-copy")))
  + ".")
w("")

# CPU, bytes, memory
w("### CPU, bytes and memory (tmpfs, medians)")
w("")
w(f"Own CPU is user + sys of the command's processes (airgap; skopeo and tar; curl and bash for the floors); "
  f"the registries' from /proc. \"≥ on {CORES} cores\" is all of that CPU over {CORES} cores: no schedule "
  f"finishes sooner. write() is /proc/PID/io's wchar (files, pipes, /dev/null; not sockets); "
  f"\"left\" is the size of the command's output directory afterwards (cache, archive, layout; for warm and no-op "
  f"runs, with what the cold run left there; the destination registry's storage not included). "
  f"Peak RSS: the largest process.")
w("")
for set_name in SETS:
    w(f"**{set_name}** ({SET_TITLE.get(set_name, set_name)}, {gb(set_info(set_name)[2])} unique):")
    w("")
    w(f"| Procedure | Wall | Own CPU | Source registry | Destination registry | ≥ on {CORES} cores | write() | Left | Peak RSS |")
    w("|---|---|---|---|---|---|---|---|---|")
    for proc, _ in PROCS:
        label = f"{set_name}/{proc}"
        if not has(label):
            continue
        own, src, dst = cpu(label), xmed("src-cpu", label) or 0, xmed("dst-cpu", label) or 0
        wchar, left = xmed("wchar", label), xmed("out", label)
        w(f"| {proc} | {med(label):.2f} s | {own:.2f} s | {src:.2f} s | {dst:.2f} s | {(own + src + dst) / CORES:.2f} s | "
          f"{gb(wchar) if wchar is not None else '–'} | {gb(left) if left is not None else '–'} | {med(label, 3) / 1024:.1f} MiB |")
    w("")

# Disk
disk_sets = [s_ for s_ in SETS if has(f"{s_}@disk/bundle-cold")]
if disk_sets:
    w(f"### On disk ({disk_runs} run{'s' if disk_runs != 1 else ''})")
    w("")
    w(f"The same procedures with outputs, caches and the destination's storage on disk ({META['DISK']}); "
      "wall time" + (" (median)" if disk_runs > 1 else "") + ", and what reached the block layer "
      "(/proc/PID/io's write_bytes: the command's own writes, not the registry's; page cache write-back "
      "that happens after the command exits is not counted).")
    w("")
    w("| Procedure | " + " | ".join(disk_sets) + " |")
    w("|---|" + "---|" * len(disk_sets))
    for proc, text in PROCS:
        cells = []
        for set_name in disk_sets:
            label = f"{set_name}@disk/{proc}"
            if has(label):
                wb = xmed("wbytes", label)
                cells.append(f"{med(label):.2f} s" + (f", {gb(wb)} written" if wb else ""))
            else:
                cells.append("–")
        if any(c != "–" for c in cells):
            w(f"| {text} | " + " | ".join(cells) + " |")
    w("")
    w("Ratios on disk: " + "; ".join(
        f"{set_name}: bundle cold / skopeo {med(f'{set_name}@disk/bundle-cold') / med(f'{set_name}@disk/skopeo-oci'):.2f}, "
        f"bundle cold / write floor {med(f'{set_name}@disk/bundle-cold') / med(f'{set_name}@disk/floor-write'):.2f}, "
        f"bundle warm / write floor {med(f'{set_name}@disk/bundle-warm') / med(f'{set_name}@disk/floor-write'):.2f}, "
        f"mirror cold / pipe floor {med(f'{set_name}@disk/mirror-cold') / med(f'{set_name}@disk/floor-pipe'):.2f}"
        for set_name in disk_sets) + ".")
    w("")

# Requests per image
REQ_COLUMNS = [("ping", "GET", "/v2/"), ("manifest", "HEAD", "manifest HEAD"), ("manifest", "GET", "manifest GET"),
               ("manifest", "PUT", "manifest PUT"), ("blob", "HEAD", "blob HEAD"), ("blob", "GET", "blob GET"),
               ("upload", "POST", "upload POST"), ("upload", "PATCH", "upload PATCH"), ("upload", "PUT", "upload PUT"),
               ("mount", "POST", "mount")]


def request_rows(set_name, procs, token=False):
    n_images = set_info(set_name)[0]
    rows = []
    known = {(k, m) for k, m, _ in REQ_COLUMNS}
    for proc in procs:
        label = f"{set_name}/{proc}"
        rs = rounds(label)
        if not rs:
            continue
        counts = REQ[(label, rs[0])]
        same = all(REQ[(label, r)] == counts for r in rs[1:])
        for reg in ("src", "dst"):
            total = sum(n for (g, _, _), n in counts.items() if g == reg)
            if total == 0 and (reg == "src" or proc.startswith(("bundle", "skopeo-oci", "floor-null", "floor-write"))):
                continue
            other = sum(n for (g, k, m), n in counts.items() if g == reg and (k, m) not in known)

            def cell(n):
                return f"{n / n_images:.2f}" if n else "·"

            cells = [cell(counts.get((reg, k, m), 0)) for k, m, _ in REQ_COLUMNS] + [cell(other)]
            if token:
                cells.append(cell(DENIED.get((label, rs[0], reg), 0)))
                # The issuer's requests belong to the command, not to a registry: on its source row.
                cells.append(cell(TOKENS.get((label, rs[0]), 0)) if reg == "src" else "")
            rows.append(f"| {proc}{'' if same else ' (round 1; rounds differ)'} | "
                        f"{'source' if reg == 'src' else 'destination'} | **{total / n_images:.2f}** ({total}) | "
                        + " | ".join(cells) + " |")
    return rows


REQ_PROCS = ["bundle-cold", "bundle-warm", "skopeo-oci", "mirror-cold", "mirror-noop", "skopeo-copy", "floor-pipe"]
if "catalog" in SETS:
    n_images = set_info("catalog")[0]
    w(f"### Requests per image, {n_images} small images")
    w("")
    w(f"From the registries' access logs, round 1, divided by the {n_images} images ({set_info('catalog')[1]} unique "
      f"blobs: {set_info('catalog')[1] / n_images:.2f} per image); in parentheses the total. \"·\" is none. "
      "Upload POST opens an upload session, PATCH sends data into it, PUT closes it; a mount is a POST with "
      "`mount=`. These registries ask for no authentication, so no token is fetched: see the next table for that.")
    w("")
    w("| Procedure | Registry | Requests per image | " + " | ".join(c for _, _, c in REQ_COLUMNS) + " | other |")
    w("|---|---|---|" + "---|" * (len(REQ_COLUMNS) + 1))
    for row in request_rows("catalog", REQ_PROCS):
        w(row)
    w("")

TOKEN_PROCS = ["bundle-cold", "skopeo-oci", "mirror-cold", "mirror-noop", "skopeo-copy"]
if TOKEN_SETS:
    set_name = TOKEN_SETS[0]
    n_images = set_info(set_name)[0]
    w(f"### Requests per image with bearer tokens, {n_images} small images (one run)")
    w("")
    w("The same catalog once, before the rounds, against two registries that ask for a bearer token "
      "(docker-registry's `auth: token`, with `testdata/token-issuer/issuer.py` granting anonymous pull and push "
      "on every repository), the way quay.io and most public registries work. \"401\" is the requests the "
      "registry answered with a challenge; \"token\" is the requests to the token issuer (its log), on the "
      "command's source row. Per image, as above.")
    w("")
    w("| Procedure | Registry | Requests per image | " + " | ".join(c for _, _, c in REQ_COLUMNS)
      + " | other | 401 | token |")
    w("|---|---|---|" + "---|" * (len(REQ_COLUMNS) + 3))
    for row in request_rows(set_name, TOKEN_PROCS, token=True):
        w(row)
    w("")
    w("Wall time (the token issuer's CPU in parentheses): " + ", ".join(
        f"{p} {med(f'{set_name}/{p}'):.2f} s ({xmed('tok-cpu', f'{set_name}/{p}') or 0:.2f} s)"
        for p in TOKEN_PROCS if has(f"{set_name}/{p}"))
      + f" (without tokens, medians above: " + ", ".join(
          f"{p} {med(f'catalog/{p}'):.2f} s" for p in TOKEN_PROCS if has(f"catalog/{p}")) + ").")
    w("")
elif "catalog" in SETS:
    w(f"Bearer tokens: {META.get('TOKEN_NOTE') or 'not measured'}.")
    w("")

# Requests of the other sets, in short
if [x for x in SETS if x != "catalog"]:
    w("### Requests of the other sets (round 1, totals)")
    w("")
for set_name in SETS:
    if set_name == "catalog":
        continue
    parts = []
    for proc in REQ_PROCS:
        label = f"{set_name}/{proc}"
        if not rounds(label):
            continue
        counts = REQ[(label, rounds(label)[0])]
        by_reg = []
        for reg in ("src", "dst"):
            items = sorted((k, m, n) for (g, k, m), n in counts.items() if g == reg)
            if items:
                by_reg.append(("source" if reg == "src" else "destination") + ": "
                              + ", ".join(f"{n} {k} {m}" for k, m, n in items))
        parts.append(f"- {set_name} {proc}: " + ("; ".join(by_reg) or "none") + ".")
    for p in parts:
        w(p)
    w("")

# Checks and what airgap printed
w("### Checks")
w("")
scale_checks = [label for label, _ in CHECKS if label.split("/")[0] in SCALE_SETS]
for label, text in CHECKS:
    if label not in scale_checks:
        w(f"- {label}: {text}.")
if scale_checks:
    w(f"- The scaling sets, the same way ({len(scale_checks)} checks: airgap mirror's manifests byte for byte and "
      "blobs present, the pipe floor's blobs present): all passed.")
for label, text in SAID.items():
    if label.split("/")[0] not in SCALE_SETS:
        w(f"- airgap printed ({label}, round 1): `{text}`")
w("")
w(f"Raw measurements: `bench/.work/{RESULTS_NAME}`.")
w("<!-- perf benchmark: end -->")
open(perf_md, "w").write("\n".join(out) + "\n")

# ------------------------------------------------------------------------------------------------
# Scaling: the CSV, the picture's section

SCALE_PROCS = [("bundle-cold", "airgap bundle (cold)"), ("skopeo-oci", "skopeo → oci: + tar"),
               ("mirror-cold", "airgap mirror (cold)"), ("skopeo-copy", "skopeo copy → registry"),
               ("floor-write", "write floor"), ("floor-pipe", "pipe floor")]
points = {"images": [], "bytes": []}
for set_name in SCALE_SETS + (["catalog"] if "catalog" in SETS else []):
    axis = "bytes" if set_name.startswith("bytes") else "images"
    points[axis].append(set_name)
rows = []
for axis, set_names in points.items():
    for set_name in set_names:
        n, _, size, _ = set_info(set_name)
        for proc, _ in SCALE_PROCS:
            label = f"{set_name}/{proc}"
            if not has(label):
                continue
            rows.append({"axis": axis, "set": set_name, "images": n, "bytes": size, "procedure": proc,
                         "wall_s": f"{med(label):.3f}", "wall_min_s": f"{best(label):.3f}",
                         "wall_max_s": f"{max(r[0] for r in RUN[label]):.3f}",
                         "requests": f"{req_median(label):.0f}", "runs": len(RUN[label])})
if not SCALE_SETS or not rows:
    open(scaling_md, "w").write("")
    sys.exit(0)
rows.sort(key=lambda r: (r["axis"], r["procedure"], r["images"] if r["axis"] == "images" else r["bytes"]))
with open(scaling_csv, "w", newline="") as f:
    writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)

out = []
w = out.append
w("<!-- scaling benchmark: begin -->")
w("## How cost grows")
w("")
w(f"(Written by `bench/perf.sh` with the section above; the picture is drawn by `bench/plot_scaling.py` from "
  f"[`scaling.csv`]({plot_rel}/scaling.csv), the run's medians, and can be redrawn from it.)")
w("")
w(f"![Wall time and requests sent against the number of images and against bytes, for airgap bundle, airgap "
  f"mirror, skopeo and the floors]({plot_rel}/scaling.png)")
w("")
w(f"Each point is the median of {scale_runs} run{'s' if scale_runs != 1 else ''} (the {META['CATALOG']}-image point: of "
  f"{RUNS}), on tmpfs as above, each tool from scratch (fresh cache, fresh destination). **Images**: the first 1, 10, "
  f"50 of the catalog set and all {META['CATALOG']} (a 5 MiB base shared by all, one 4 KiB layer and a config each). "
  f"**Bytes**: one image of one layer of {', '.join(x[5:] for x in SCALE_SETS if x.startswith('bytes'))} MiB. "
  "Requests are every request the registries logged (source, and destination for the copies).")
w("")


def fit(pts):
    """Least-squares line through (x, y) points: (intercept, slope)."""
    n = len(pts)
    mx = sum(p[0] for p in pts) / n
    my = sum(p[1] for p in pts) / n
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return my, 0.0
    b = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx
    return my - b * mx, b


def scale_points(axis, proc):
    return sorted(((r["images"] if axis == "images" else r["bytes"] / 1e9), float(r["wall_s"]), float(r["requests"]))
                  for r in rows if r["axis"] == axis and r["procedure"] == proc)


def slope_line(axis, proc, name):
    pts = scale_points(axis, proc)
    if len(pts) < 2:
        return None
    a, b = fit([(x, t) for x, t, _ in pts])
    qa, qb = fit([(x, q) for x, _, q in pts])
    first, last = pts[0], pts[-1]
    if axis == "images":
        return (f"| {name} | {first[1]:.2f} s, {first[2]:.0f} req | {last[1]:.2f} s, {last[2]:.0f} req | "
                f"{b * 1000:.1f} ms | {a:.2f} s | {qb:.2f} |")
    reqs = sorted({int(q) for _, _, q in pts})
    return (f"| {name} | {first[1]:.2f} s | {last[1]:.2f} s | {b:.2f} s" + (f" ({1000 / b:.0f} MB/s)" if b > 0 else "")
            + f" | {a:.2f} s | {'–'.join(map(str, [reqs[0], reqs[-1]] if len(reqs) > 1 else reqs))} |")


img = [slope_line("images", p, n) for p, n in SCALE_PROCS]
if any(img):
    xs = sorted({r["images"] for r in rows if r["axis"] == "images"})
    w(f"**Against images** ({', '.join(map(str, xs))}): the smallest and the largest point, and the straight line "
      "fitted through all the points (least squares): its slope is the cost of one more image, its intercept the "
      "fixed cost.")
    w("")
    w(f"| Procedure | {xs[0]} image{'s' if xs[0] != 1 else ''} | {xs[-1]} images | Per image (slope) | Fixed (intercept) "
      "| Requests per image (slope) |")
    w("|---|---|---|---|---|---|")
    for line in img:
        if line:
            w(line)
    w("")
byt = [slope_line("bytes", p, n) for p, n in SCALE_PROCS]
if any(byt):
    xs = sorted({r["bytes"] for r in rows if r["axis"] == "bytes"})
    w(f"**Against bytes** ({', '.join(gb(x) for x in xs)}): the same, per GB; the slope's inverse, the throughput "
      "once the fixed cost is paid, in parentheses. Requests do not grow with bytes.")
    w("")
    w(f"| Procedure | {gb(xs[0])} | {gb(xs[-1])} | Per GB (slope) | Fixed (intercept) | Requests |")
    w("|---|---|---|---|---|---|")
    for line in byt:
        if line:
            w(line)
    w("")
w("<!-- scaling benchmark: end -->")
open(scaling_md, "w").write("\n".join(out) + "\n")
