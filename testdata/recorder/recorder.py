#!/usr/bin/python3
"""recorder.py — a scriptable, recording HTTP(S) server for airgap's trust-boundary tests.

Plays whatever host a test needs on 127.0.0.1 — a blob-storage host, a hostile token realm, a fake
registry, a forward proxy — answering by rules, and logs EVERY request it receives, with every
header (Authorization in full), so a test can assert what reached this host and what did not.
Standard library only (Debian's /usr/bin/python3):

    recorder.py --log REQUESTS.jsonl [--rules RULES.json] [--port 0] [--cert CERT.pem --key KEY.pem]

With --cert/--key it speaks https only (TLS 1.2+), with that certificate. When it listens it prints
its port on stdout, one line, and flushes; tests read that line.

Rules (a JSON list; the first that matches and still has "times" left answers):

    {"method": "GET",             # regex, full match, case-insensitive; omitted = any method
     "path": "^/v2/$",            # regex searched in the request target (path + query, or
                                  # HOST:PORT for CONNECT, or the absolute URL a proxy client
                                  # sends); omitted = any
     "when_headers": {"Authorization": "^Basic "},
                                  # regexes searched in request headers; a missing header is ""
                                  # (so "^$" means "absent"); all must match; omitted = any
     "times": 1,                  # answer at most this many matching requests; omitted = always
     "status": 401,               # default 200
     "headers": {"WWW-Authenticate": "Bearer realm=\\"{self}/token\\",service=\\"s\\""},
     "body": "{\\"token\\": \\"t\\"}",   # text; default empty
     "content_type": "application/json"} # default application/json when there is a body

    "{self}" in header values and the body is replaced by this server's own base URL
    (http://127.0.0.1:PORT or https://127.0.0.1:PORT), "{self_host}" by 127.0.0.1:PORT and
    "{path}" by the request target. Values are sent byte for byte: a rule may put CR/LF in a body
    (e.g. a token) but never in a header (the server refuses such a rule).
    A request no rule answers gets 404 with a distribution error body (NAME_UNKNOWN).
    CONNECT (a client using this server as its https_proxy) is logged and answered by the rules
    like any request (path = HOST:PORT); no tunnel is ever opened, so any answer ends the exchange.

Control API (never logged, under /_recorder/):

    GET  /_recorder/rules      the rules with their counters
    POST /_recorder/rules      body: a JSON list; replaces the rules and resets the counters
    GET  /_recorder/log        every entry logged so far, as a JSON list
    POST /_recorder/clear      empties the log (in memory and the --log file)

Log (--log, and /_recorder/log): one JSON object per line, in the order requests arrived:

    {"event": "request", "time", "method", "path", "authorization" (the full header value or null),
     "headers": [[NAME, VALUE], ...] (every other header, in the order received, duplicates and
     all), "body_bytes", "rule" (index or null), "status" (sent)}
    {"event": "tls_error", "time", "error"}: a client reached the port but the TLS handshake failed
     (e.g. it refused this server's certificate); no request was read.
"""

import argparse
import json
import re
import ssl
import sys
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTROL = "/_recorder/"


def now_iso_ms():
    d = datetime.now(timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


class Rule:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError(f"a rule must be an object, not {spec!r}")
        for name, value in (spec.get("headers") or {}).items():
            if any(c in f"{name}{value}" for c in "\r\n"):
                raise ValueError(f"rule header {name!r} holds CR or LF")
        self.spec = spec
        self.method = re.compile(spec.get("method") or ".*", re.I)
        self.path = re.compile(spec.get("path") or "")
        self.when = {k: re.compile(v) for k, v in (spec.get("when_headers") or {}).items()}
        self.times = spec.get("times")
        self.fired = 0

    def matches(self, method, path, headers):
        if not self.method.fullmatch(method) or not self.path.search(path):
            return False
        if any(not rx.search(headers.get(name, "")) for name, rx in self.when.items()):
            return False
        return self.times is None or self.fired < int(self.times)

    def state(self):
        return dict(self.spec, fired=self.fired)


class Recorder:
    """Rules, their counters and the log, shared by every handler thread."""

    def __init__(self, specs, log_path):
        self.lock = threading.Lock()
        self.rules = [Rule(s) for s in specs]
        self.entries = []
        self.log_path = log_path
        self.log_file = open(log_path, "a", encoding="utf-8") if log_path else None

    def replace(self, specs):
        rules = [Rule(s) for s in specs]
        with self.lock:
            self.rules = rules

    def choose(self, method, path, headers):
        with self.lock:
            for i, rule in enumerate(self.rules):
                if rule.matches(method, path, headers):
                    rule.fired += 1
                    return i, rule.spec
        return None, None

    def log(self, entry):
        line = json.dumps(entry, separators=(",", ":"))
        with self.lock:
            self.entries.append(entry)
            if self.log_file:
                self.log_file.write(line + "\n")
                self.log_file.flush()

    def clear(self):
        with self.lock:
            self.entries = []
            if self.log_file:
                self.log_file.truncate(0)
                self.log_file.seek(0)

    def state(self):
        with self.lock:
            return [r.state() for r in self.rules]

    def log_copy(self):
        with self.lock:
            return list(self.entries)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "airgap-recorder/1"
    recorder = None  # set in main()
    base_url = None  # http(s)://127.0.0.1:PORT, set in main()

    def log_message(self, fmt, *args):
        sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_CONNECT = do_GET

    def read_body(self):
        if self.command == "CONNECT":
            return b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def dispatch(self):
        if self.path.startswith(CONTROL):
            self.control()
            return
        body = self.read_body()
        headers = {k: v for k, v in self.headers.items()}
        entry = {
            "event": "request", "time": now_iso_ms(), "method": self.command, "path": self.path,
            "authorization": self.headers.get("Authorization"),
            "headers": [[k, v] for k, v in self.headers.items() if k.lower() != "authorization"],
            "body_bytes": len(body), "rule": None, "status": None,
        }
        index, rule = self.recorder.choose(self.command, self.path, headers)
        entry["rule"] = index
        try:
            if rule is None:
                data = json.dumps({"errors": [{"code": "NAME_UNKNOWN", "message": "no recorder rule for this request"}]})
                entry["status"] = 404
                self.answer(404, {}, data, "application/json")
            else:
                status = int(rule.get("status", 200))
                entry["status"] = status
                fill = self.fill
                out = {k: fill(v) for k, v in (rule.get("headers") or {}).items()}
                body_text = fill(rule.get("body") or "")
                self.answer(status, out, body_text, rule.get("content_type", "application/json"))
        finally:
            self.recorder.log(entry)
        if self.command == "CONNECT":
            self.close_connection = True

    def fill(self, text):
        host = self.base_url.split("://", 1)[1]
        return text.replace("{self}", self.base_url).replace("{self_host}", host).replace("{path}", self.path)

    def answer(self, status, headers, body_text, content_type):
        data = body_text.encode("utf-8")
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if data and not any(k.lower() == "content-type" for k in headers):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def control(self):
        what = self.path[len(CONTROL):].split("?")[0]
        try:
            if what == "rules" and self.command == "POST":
                specs = json.loads(self.read_body() or b"[]")
                if not isinstance(specs, list):
                    raise ValueError("the rules must be a JSON list")
                self.recorder.replace(specs)
                self.send_json(200, self.recorder.state())
            elif what == "rules":
                self.send_json(200, self.recorder.state())
            elif what == "log":
                self.send_json(200, self.recorder.log_copy())
            elif what == "clear" and self.command == "POST":
                self.recorder.clear()
                self.send_json(200, [])
            else:
                self.send_json(404, {"error": f"no control endpoint {self.command} {what}"})
        except (ValueError, TypeError, re.error) as e:
            self.send_json(400, {"error": str(e)})

    def send_json(self, status, obj):
        self.answer(status, {}, json.dumps(obj) + "\n", "application/json")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    tls_context = None

    def finish_request(self, request, client_address):
        # The handshake runs here, in the connection's own thread, so a client that refuses the
        # certificate is logged and never stalls the accept loop.
        if self.tls_context is None:
            super().finish_request(request, client_address)
            return
        try:
            tls = self.tls_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            Handler.recorder.log({"event": "tls_error", "time": now_iso_ms(), "error": f"{type(e).__name__}: {e}"})
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            tls.close()


def main():
    ap = argparse.ArgumentParser(description="recording, scriptable HTTP(S) server for tests")
    ap.add_argument("--log", help="request log, one JSON line per request or TLS failure")
    ap.add_argument("--rules", help="JSON file holding the initial rules (default: none)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--cert", help="PEM certificate (chain): serve https")
    ap.add_argument("--key", help="PEM private key of --cert")
    args = ap.parse_args()
    if bool(args.cert) != bool(args.key):
        ap.error("--cert and --key go together")

    specs = []
    if args.rules:
        with open(args.rules, encoding="utf-8") as f:
            specs = json.load(f)
    Handler.recorder = Recorder(specs, args.log)
    server = Server((args.host, args.port), Handler)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(args.cert, args.key)
        server.tls_context = context
    scheme = "https" if args.cert else "http"
    Handler.base_url = f"{scheme}://{args.host}:{server.server_address[1]}"
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
