#!/usr/bin/env python3
"""bench/benchtool.py — the benchmarks' image and registry helpers (stdlib only); run by bench/lib.sh.

  generate LAYOUT SPEC...
      Writes an OCI image layout at LAYOUT from a recipe: each SPEC is "NAME LAYER...", a LAYER
      "KEY:SIZE" with SIZE in MiB ("40"), or with a unit: "64K" (KiB), "5M" (MiB). A KEY shared by
      several images is one blob. Each layer is a real tar.gz (gzip level 0: the data is random and
      would not compress) of one file of SIZE pseudo-random bytes: AES-128-CTR keystream (openssl)
      keyed by sha256("airgap-bench:KEY:SIZE"), so a recipe always gives the same bytes, hence the
      same digests, on every machine and run.

  seed-registry STORAGE LAYOUT PREFIX TAG
      Writes LAYOUT's images into a docker-registry filesystem storage (rootdirectory STORAGE) as
      PREFIX/NAME:TAG, as a push would leave them: blobs hard-linked from the layout (copied when
      another filesystem), the repository links, the tag. Much faster than pushing 200 images.

  blobs LAYOUT REGISTRY PREFIX TAG [COUNT]
      Prints every unique blob (configs and layers) of the layout's images (its first COUNT) once:
      "URL SIZE HEX" with the URL under the first image that has it.

  names LAYOUT [COUNT]
      Prints the layout's image names (its first COUNT), one per line, in index order.

  sizes LAYOUT
      Prints "NAME BYTES OTHERS" for each image: BYTES its manifest, config and layers together (what
      the image alone puts into an archive, tar headers aside), OTHERS the same for every other image
      of the layout together, each blob counted once.

  check-blobs DST LIST
      LIST holds "REPO DIGEST" lines: checks that every blob is at DST (HEAD 200), exits 1 if not.

  check-mirror SRC DST PATHS
      PATHS holds one "REPO:TAG" per line. Checks that every manifest at DST has the source's
      bytes (sha256 of both bodies and DST's Docker-Content-Digest) and that every blob they name is
      at DST (HEAD 200); prints a one-line summary, exits 1 on a difference.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request

MiB = 1 << 20
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
ACCEPT = ", ".join([
    OCI_MANIFEST,
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])


def parse_size(text):
    if text[-1] in "Kk":
        return int(text[:-1]) * 1024
    if text[-1] in "Mm":
        return int(text[:-1]) * MiB
    return int(text) * MiB


class HashingWriter(io.RawIOBase):
    """Hashes and counts what passes on its way to `out`."""

    def __init__(self, out):
        self.out, self.hash, self.size = out, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, b):
        self.hash.update(b)
        self.size += len(b)
        return self.out.write(b)


def keystream(key, size):
    """A pipe of `size` deterministic pseudo-random bytes for layer `key`."""
    aes_key = hashlib.sha256(f"airgap-bench:{key}:{size}".encode()).hexdigest()[:32]
    return subprocess.Popen(
        f"openssl enc -aes-128-ctr -nosalt -K {aes_key} -iv 00000000000000000000000000000000 "
        f"</dev/zero 2>/dev/null | head -c {size}",
        shell=True, stdout=subprocess.PIPE, bufsize=MiB)


def generate(layout, specs):
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)

    def put(data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, digest), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    def make_layer(key, size):
        tmp = os.path.join(blobs, "tmp-" + key)
        source = keystream(key, size)
        with open(tmp, "wb") as raw:
            compressed = HashingWriter(raw)
            gz = gzip.GzipFile(filename="", fileobj=compressed, mode="wb", compresslevel=0, mtime=0)
            plain = HashingWriter(gz)
            with tarfile.open(fileobj=plain, mode="w|", format=tarfile.PAX_FORMAT, copybufsize=MiB) as tar:
                info = tarfile.TarInfo("data/" + key + ".bin")
                info.size, info.mode, info.mtime = size, 0o644, 946684800
                tar.addfile(info, source.stdout)
            gz.close()
        source.stdout.close()
        if source.wait() != 0:
            sys.exit(f"generate: openssl failed for layer {key}")
        digest = compressed.hash.hexdigest()
        os.rename(tmp, os.path.join(blobs, digest))
        descriptor = {
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": "sha256:" + digest,
            "size": compressed.size,
        }
        return descriptor, "sha256:" + plain.hash.hexdigest()

    layers, index = {}, []
    for spec in specs:
        name, *parts = spec.split()
        descriptors, diff_ids = [], []
        for part in parts:
            key, size = part.split(":")
            if key not in layers:
                if parse_size(size) >= 16 * MiB:
                    print(f"  layer {key}: {size}", file=sys.stderr, flush=True)
                layers[key] = make_layer(key, parse_size(size))
            descriptors.append(layers[key][0])
            diff_ids.append(layers[key][1])
        config = {
            "created": "2000-01-01T00:00:00Z",
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": ["/bin/sh"], "Labels": {"airgap.bench": name}},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created": "2000-01-01T00:00:00Z", "created_by": "bench"} for _ in parts],
        }
        config_desc = put(json.dumps(config, sort_keys=True).encode())
        config_desc["mediaType"] = "application/vnd.oci.image.config.v1+json"
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_desc, "layers": descriptors}
        manifest_desc = put(json.dumps(manifest, sort_keys=True).encode())
        manifest_desc["mediaType"] = OCI_MANIFEST
        manifest_desc["annotations"] = {"org.opencontainers.image.ref.name": name}
        index.append(manifest_desc)

    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": index}, f)


def images(layout, count=None):
    """(name, manifest digest, manifest) for each image of the layout (the first COUNT), in index
    order."""
    index = json.load(open(os.path.join(layout, "index.json")))
    entries = index["manifests"]
    if count:
        entries = entries[:int(count)]
    for entry in entries:
        name = entry["annotations"]["org.opencontainers.image.ref.name"]
        manifest = json.load(open(os.path.join(layout, "blobs", "sha256", entry["digest"][7:])))
        yield name, entry["digest"], manifest


def seed_registry(storage, layout, prefix, tag):
    root = os.path.join(storage, "docker", "registry", "v2")

    def write(path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def store_blob(digest):
        hex_ = digest[7:]
        data = os.path.join(root, "blobs", "sha256", hex_[:2], hex_, "data")
        if os.path.exists(data):
            return
        os.makedirs(os.path.dirname(data), exist_ok=True)
        source = os.path.join(layout, "blobs", "sha256", hex_)
        try:
            os.link(source, data)
        except OSError:
            shutil.copyfile(source, data)

    for name, digest, manifest in images(layout):
        repo = os.path.join(root, "repositories", prefix, name)
        for d in [manifest["config"]] + manifest["layers"]:
            store_blob(d["digest"])
            write(os.path.join(repo, "_layers", "sha256", d["digest"][7:], "link"), d["digest"])
        store_blob(digest)
        write(os.path.join(repo, "_manifests", "revisions", "sha256", digest[7:], "link"), digest)
        write(os.path.join(repo, "_manifests", "tags", tag, "current", "link"), digest)
        write(os.path.join(repo, "_manifests", "tags", tag, "index", "sha256", digest[7:], "link"), digest)


def blob_list(layout, registry, prefix, tag, count=None):
    seen = set()
    for name, _, manifest in images(layout, count):
        for d in [manifest["config"]] + manifest["layers"]:
            if d["digest"] not in seen:
                seen.add(d["digest"])
                print(f'http://{registry}/v2/{prefix}/{name}/blobs/{d["digest"]} {d["size"]} {d["digest"][7:]}')


def sizes(layout):
    blobs = {}
    for name, digest, manifest in images(layout):
        manifest_size = os.path.getsize(os.path.join(layout, "blobs", "sha256", digest[7:]))
        blobs[name] = {digest: manifest_size} | {d["digest"]: d["size"] for d in [manifest["config"]] + manifest["layers"]}
    for name, own in blobs.items():
        others = {}
        for other, theirs in blobs.items():
            if other != name:
                others.update(theirs)
        print(name, sum(own.values()), sum(others.values()))


def head_ok(url):
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD")).close()
        return None
    except urllib.error.HTTPError as e:
        return e.code


def check_blobs(dst, list_file):
    n = 0
    for line in open(list_file):
        repo, digest = line.split()
        code = head_ok(f"http://{dst}/v2/{repo}/blobs/{digest}")
        if code:
            sys.exit(f"check-blobs: {repo}@{digest} missing at {dst} (HEAD {code})")
        n += 1
    print(f"all {n} blobs present (HEAD 200)")


def check_mirror(src, dst, paths_file):
    paths = [line.strip() for line in open(paths_file) if line.strip()]
    blobs = 0
    for path in paths:
        repo, tag = path.rsplit(":", 1)
        bodies = []
        for host in (src, dst):
            req = urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{tag}", headers={"Accept": ACCEPT})
            with urllib.request.urlopen(req) as r:
                bodies.append((r.read(), r.headers.get("Docker-Content-Digest")))
        a = "sha256:" + hashlib.sha256(bodies[0][0]).hexdigest()
        b = "sha256:" + hashlib.sha256(bodies[1][0]).hexdigest()
        if not (a == b == bodies[1][1]):
            sys.exit(f"check-mirror: {path} is {b} (Docker-Content-Digest {bodies[1][1]}) at {dst}, {a} at {src}")
        manifest = json.loads(bodies[1][0])
        for d in [manifest["config"]] + manifest["layers"]:
            code = head_ok(f"http://{dst}/v2/{repo}/blobs/{d['digest']}")
            if code:
                sys.exit(f"check-mirror: {repo}@{d['digest']} missing at {dst} (HEAD {code})")
            blobs += 1
    print(f"all {len(paths)} manifests byte for byte the source's (sha256 of each body = the source's "
          f"digest = the destination's Docker-Content-Digest); all {blobs} blob references present (HEAD 200)")


def main():
    command, args = sys.argv[1], sys.argv[2:]
    if command == "generate":
        generate(args[0], args[1:])
    elif command == "seed-registry":
        seed_registry(*args)
    elif command == "blobs":
        blob_list(*args)
    elif command == "names":
        for name, _, _ in images(*args):
            print(name)
    elif command == "sizes":
        sizes(*args)
    elif command == "check-blobs":
        check_blobs(*args)
    elif command == "check-mirror":
        check_mirror(*args)
    else:
        sys.exit(f"benchtool: unknown command {command}")


if __name__ == "__main__":
    main()
