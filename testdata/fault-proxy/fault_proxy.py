#!/usr/bin/python3
"""fault_proxy.py — a fault-injecting HTTP proxy for airgap's integration tests.

Sits on 127.0.0.1 in front of one plain-HTTP registry (a reverse proxy: clients use the proxy's
host:port as the registry) and passes requests through, streaming bodies both ways, except where a
rule says to break something: reset the connection mid-body, stall, answer 5xx/429/401, send a body
shorter than its Content-Length, flip a byte, or "go away" (reset every connection) for a while.
Standard library only (Debian's /usr/bin/python3):

    fault_proxy.py --upstream 127.0.0.1:PORT --log REQUESTS.jsonl [--rules RULES.json] [--port 0]

When it listens it prints its port on stdout, one line, and flushes; tests read that line.

Rules (a JSON list; tried in order, the first that fires decides):

    {"method": "GET",               # regex, full match, case-insensitive; omitted = any method
     "path": "/blobs/sha256:",      # regex searched in the request target (path + query); omitted = any
     "skip": 0,                     # let the first S matching requests through untouched
     "times": 2,                    # then fire on K matching requests; omitted/null = always (persistent)
     "fault": "reset",              # what to do, below
     ...parameters of the fault}

    Rules are tried in order until one fires. Each rule tried counts the requests that match its
    method and path (towards its skip and times) whether or not it fires; a request taken by an
    earlier rule is not seen by later ones. Faults:

    status      answer "status" (e.g. 500, 502, 503, 429, 401) with "headers" (e.g.
                {"Retry-After": "1"} or {"WWW-Authenticate": "Bearer realm=..."}) and a JSON
                distribution error body ("body" overrides it); upstream never sees the request
                (a request body is read and dropped first).
    reset       forward, send the response headers and "after_bytes" (default 0) body bytes, then
                reset the connection (RST). With "before_headers": true, reset before answering.
    reset_upload  forward the request, and reset both connections once "after_bytes" (default
                half of Content-Length) of the REQUEST body went upstream: a failed upload.
    stall       send the headers and "after_bytes" (default 0) body bytes, then nothing for
                "seconds" (default 3600), then reset.
    short_body  send the headers (with the true Content-Length) and "after_bytes" (default half)
                body bytes, then close cleanly: the body ends early.
    flip_byte   forward everything, with the body byte at "offset" (default 0) XOR 0xFF.
    go_away     reset this request, and every connection after it, for "seconds" (default: until
                the rules are replaced through the control API): the registry went down.
    redirect    answer "status" (default 307) with `Location: "location"`, where "{path}" in the
                template is replaced by the request target (path + query), or the target is appended
                when the template has no "{path}": a registry sending blob GETs to its storage host
                or CDN. Upstream never sees the request.

    Offsets count the body bytes this proxy sends, so for a Range request they start at the
    range's first byte.

Control API (never faulted, never logged; works while "away"):

    GET  /_fault_proxy/rules        the rules with their counters, and whether the proxy is away
    POST /_fault_proxy/rules        body: a JSON list; replaces the rules, resets the counters and
                                    ends a go_away ("come back")

Request log (--log): one JSON object per proxied request, written when it ends:
    {"time", "method", "path", "range" (the Range header or null), "authorization" (the full
     Authorization header the client sent, or null: these tests own the secrets), "rule" (index or null),
     "fault" (name or null), "status" (sent to the client, null if none), "bytes" (response body
     bytes sent), "request_bytes" (request body bytes read from the client), "error" (or null)}
"""

import argparse
import http.client
import json
import re
import socket
import struct
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 64 * 1024
CONTROL = "/_fault_proxy/rules"
# Not forwarded: they describe one hop, and this proxy frames bodies itself.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
              "upgrade", "proxy-authorization", "proxy-authenticate"}
FAULTS = {"status", "reset", "reset_upload", "stall", "short_body", "flip_byte", "go_away", "redirect"}


class Rule:
    def __init__(self, spec):
        if spec.get("fault") not in FAULTS:
            raise ValueError(f"unknown fault {spec.get('fault')!r}; one of {sorted(FAULTS)}")
        if spec["fault"] == "redirect" and not spec.get("location"):
            raise ValueError("a redirect rule needs a \"location\" template")
        self.spec = spec
        self.method = re.compile(spec.get("method") or ".*", re.I)
        self.path = re.compile(spec.get("path") or "")
        self.skip = int(spec.get("skip", 0))
        self.times = spec.get("times")
        self.seen = 0
        self.fired = 0

    def consider(self, method, path):
        """Counts a matching request; True when this rule fires on it."""
        if not self.method.fullmatch(method) or not self.path.search(path):
            return False
        self.seen += 1
        if self.seen <= self.skip:
            return False
        if self.times is not None and self.fired >= int(self.times):
            return False
        self.fired += 1
        return True

    def state(self):
        return dict(self.spec, seen=self.seen, fired=self.fired)


class Faults:
    """The rules, their counters and the go_away state, shared by every handler thread."""

    def __init__(self, specs, log_path):
        self.lock = threading.Lock()
        self.rules = [Rule(s) for s in specs]
        self.away_until = None  # None = here; float('inf') = until the rules are replaced
        self.log_lock = threading.Lock()
        self.log_file = open(log_path, "a", encoding="utf-8") if log_path else None

    def replace(self, specs):
        rules = [Rule(s) for s in specs]
        with self.lock:
            self.rules = rules
            self.away_until = None

    def choose(self, method, path):
        """-> (index, spec) of the rule that fires, or (None, None)."""
        with self.lock:
            for i, rule in enumerate(self.rules):
                if rule.consider(method, path):
                    if rule.spec["fault"] == "go_away":
                        seconds = rule.spec.get("seconds")
                        self.away_until = time.monotonic() + float(seconds) if seconds is not None else float("inf")
                    return i, rule.spec
        return None, None

    def is_away(self):
        with self.lock:
            if self.away_until is None:
                return False
            if time.monotonic() >= self.away_until:
                self.away_until = None
                return False
            return True

    def state(self):
        with self.lock:
            return {"away": self.away_until is not None, "rules": [r.state() for r in self.rules]}

    def log(self, entry):
        if not self.log_file:
            return
        line = json.dumps(entry, separators=(",", ":"))
        with self.log_lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()


class Dropped(Exception):
    """The connection was cut on purpose (or by the client); the handler just stops."""


def now_iso_ms():
    d = datetime.now(timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "airgap-fault-proxy/1"
    faults = None    # set in main()
    upstream = None  # "host:port"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def dispatch(self):
        if self.path.split("?")[0] == CONTROL:
            self.control()
            return
        entry = {"time": now_iso_ms(), "method": self.command, "path": self.path,
                 "range": self.headers.get("Range"), "authorization": self.headers.get("Authorization"),
                 "rule": None, "fault": None,
                 "status": None, "bytes": 0, "request_bytes": 0, "error": None}
        self.entry = entry
        try:
            if self.faults.is_away():
                entry["fault"] = "go_away"
                self.drain_request()
                self.reset()
            index, rule = self.faults.choose(self.command, self.path)
            entry["rule"], entry["fault"] = index, rule and rule["fault"]
            if rule is None:
                self.forward({})
            elif rule["fault"] == "status":
                self.answer(rule)
            elif rule["fault"] == "redirect":
                self.redirect(rule)
            elif rule["fault"] == "go_away" or (rule["fault"] == "reset" and rule.get("before_headers")):
                self.drain_request()
                self.reset()
            else:
                self.forward(rule)
        except Dropped as e:
            entry["error"] = str(e) or None
            self.close_connection = True
        except (OSError, http.client.HTTPException) as e:
            entry["error"] = f"{type(e).__name__}: {e}"
            self.close_connection = True
        finally:
            self.faults.log(entry)

    # ---------------------------------------------------------- control

    def control(self):
        if self.command == "POST":
            try:
                n = int(self.headers.get("Content-Length") or 0)
                specs = json.loads(self.rfile.read(n) or b"[]")
                self.faults.replace(specs)
            except (ValueError, TypeError) as e:
                self.send_json(400, {"error": str(e)})
                return
        self.send_json(200, self.faults.state())

    def send_json(self, status, obj):
        body = (json.dumps(obj) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # ---------------------------------------------------------- faults

    def reset(self):
        """Cut the client connection with a TCP reset rather than a clean close."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        raise Dropped("reset")

    def answer(self, rule):
        self.drain_request()
        status = int(rule.get("status", 503))
        body = rule.get("body")
        if body is None:
            code = {401: "UNAUTHORIZED", 429: "TOOMANYREQUESTS"}.get(status, "UNAVAILABLE")
            body = json.dumps({"errors": [{"code": code, "message": f"injected {status}"}]})
        data = body.encode()
        self.send_response(status)
        for k, v in (rule.get("headers") or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.entry["status"] = status
        if self.command != "HEAD":
            self.wfile.write(data)
            self.entry["bytes"] = len(data)

    def redirect(self, rule):
        self.drain_request()
        template = rule["location"]
        location = template.replace("{path}", self.path) if "{path}" in template else template + self.path
        status = int(rule.get("status", 307))
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.entry["status"] = status

    # ---------------------------------------------------------- streaming

    def request_chunks(self):
        """The request body as it arrives (Content-Length or chunked), counted in the log."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                left = size
                while left:
                    data = self.rfile.read(min(CHUNK, left))
                    if not data:
                        raise Dropped("client closed mid-body")
                    left -= len(data)
                    self.entry["request_bytes"] += len(data)
                    yield data
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left:
                data = self.rfile.read(min(CHUNK, left))
                if not data:
                    raise Dropped("client closed mid-body")
                left -= len(data)
                self.entry["request_bytes"] += len(data)
                yield data

    def drain_request(self):
        for _ in self.request_chunks():
            pass

    def forward(self, rule):
        fault = rule.get("fault")
        host, port = self.upstream.rsplit(":", 1)
        up = http.client.HTTPConnection(host, int(port), timeout=300)
        try:
            self.send_upstream(up, rule)
            resp = up.getresponse()
            self.relay(resp, rule, fault)
        finally:
            up.close()

    def send_upstream(self, up, rule):
        chunked = self.headers.get("Transfer-Encoding", "").lower() == "chunked"
        up.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() not in HOP_BY_HOP:
                up.putheader(k, v)
        if chunked:
            up.putheader("Transfer-Encoding", "chunked")
        up.endheaders()
        cut = None
        if rule.get("fault") == "reset_upload":
            cut = rule.get("after_bytes", int(self.headers.get("Content-Length") or 0) // 2)
        sent = 0
        for data in self.request_chunks():
            if cut is not None and sent + len(data) >= cut:
                up.send(data[:cut - sent] if not chunked else b"%x\r\n%s\r\n" % (cut - sent, data[:cut - sent]))
                up.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                up.close()
                self.reset()
            up.send(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            sent += len(data)
        if chunked:
            up.send(b"0\r\n\r\n")

    def relay(self, resp, rule, fault):
        length = resp.getheader("Content-Length")
        has_body = self.command != "HEAD" and resp.status not in (204, 304) and resp.status >= 200
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            # send_response wrote our own Date and Server already.
            if k.lower() not in HOP_BY_HOP and k.lower() not in ("content-length", "date", "server"):
                self.send_header(k, v)
        chunked = has_body and length is None
        if length is not None:
            self.send_header("Content-Length", length)
        elif chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.entry["status"] = resp.status
        if not has_body:
            return

        # Where the fault strikes, in body bytes sent; None = never.
        cut = None
        if fault in ("reset", "stall"):
            cut = int(rule.get("after_bytes", 0))
        elif fault == "short_body":
            cut = int(rule.get("after_bytes", int(length or 0) // 2))
        flip = int(rule.get("offset", 0)) if fault == "flip_byte" else None

        sent = 0
        while True:
            if cut is not None and sent >= cut:
                self.strike(rule, fault)
            want = CHUNK if cut is None else min(CHUNK, cut - sent)
            data = resp.read(want)
            if not data:
                break
            if flip is not None and sent <= flip < sent + len(data):
                i = flip - sent
                data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            sent += len(data)
            self.entry["bytes"] = sent
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def strike(self, rule, fault):
        self.wfile.flush()
        if fault == "stall":
            deadline = time.monotonic() + float(rule.get("seconds", 3600))
            # Sleep in slices so a client that gives up is noticed.
            while time.monotonic() < deadline:
                time.sleep(0.2)
            self.reset()
        if fault == "short_body":
            self.connection.shutdown(socket.SHUT_WR)
            raise Dropped("short body")
        self.reset()


def main():
    ap = argparse.ArgumentParser(description="fault-injecting HTTP proxy for tests")
    ap.add_argument("--upstream", required=True, help="host:port of the plain-HTTP server behind")
    ap.add_argument("--rules", help="JSON file holding the initial rules (default: none)")
    ap.add_argument("--log", help="request log, one JSON line per proxied request")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()

    specs = []
    if args.rules:
        with open(args.rules, encoding="utf-8") as f:
            specs = json.load(f)
    Handler.faults = Faults(specs, args.log)
    Handler.upstream = args.upstream
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
