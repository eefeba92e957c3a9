#!/usr/bin/python3
"""issuer.py — a Docker registry token server for airgap's integration tests.

Implements the token endpoint of the distribution token auth spec
(docs/spec/auth/token.md, oauth.md, jwt.md) well enough for a real
docker-registry 2.8 configured with `auth: token:` to accept its tokens, and
logs every token request as one JSON line so tests can count them.

Run by scripts/test-servers.sh with Debian's /usr/bin/python3 and
python3-cryptography (stdlib otherwise):

    issuer.py --config CONFIG.json --port PORT --key KEY.pem --cert CHAIN.pem \
              --log REQUESTS.jsonl [--expires-in SECONDS]

CONFIG.json (written at start; it holds the random passwords):

    {
      "issuer":   "airgap-test-token-issuer",      # the JWT's iss (registry: auth.token.issuer)
      "service":  "airgap-test-registry",          # the JWT's aud (registry: auth.token.service)
      "expires_in": 300,                           # default token lifetime in seconds
      "users": {"reader": {"password": "...", "expires_in": 2 (optional)}, ...},
      "acl": [                                     # every matching rule adds its actions
        {"accounts": ["", "*"], "type": "repository", "name": "public/*", "actions": ["pull"]},
        ...
      ]
    }

    accounts: "" = anonymous (no Authorization), "*" = any authenticated user, else a user name.
    type: resource type, default "repository"; "*" matches any type.
    name: fnmatch pattern ("*" also matches "/"); actions: ["*"] grants whatever is asked.

Endpoints (127.0.0.1 only):

  GET  /token?service=S&scope=T:NAME:A,B&scope=...[&offline_token=true][&account=..][&client_id=..]
       Optional `Authorization: Basic`. 200 {"token","access_token","expires_in","issued_at"}
       (+ "refresh_token" when offline_token=true and authenticated).
  POST /token  (application/x-www-form-urlencoded, OAuth2)
       grant_type=password&username=U&password=P&service=S&client_id=C&scope=S1 S2[&access_type=offline]
       grant_type=refresh_token&refresh_token=R&service=S&client_id=C&scope=...
       200 {"access_token","expires_in","issued_at","scope"} (+ "refresh_token" with access_type=offline).
  The granted access is the intersection of the requested and the allowed actions; a resource with
  nothing granted is left out of the token (the registry then answers 401 insufficient_scope).
  Errors: wrong user/password or unknown refresh token -> 401; missing/wrong service, malformed
  scope, unknown grant_type -> 400. Error bodies: {"error": CODE, "error_description": TEXT,
  "errors": [{"code": "UNAUTHORIZED"|"DENIED"|..., "message": TEXT}]}.

  GET  /healthz                  200 "ok"
  GET  /control                  the current overrides and counters as JSON
  POST /control/expiry?seconds=N[&registry_seconds=M][&user=U][&count=K]
                                 lifetime of the NEXT tokens: expires_in=N in the response; the
                                 registry stops accepting them M seconds (default N) after issue.
                                 M < 0: the registry refuses them from the start (they expired
                                 |M| seconds before they were issued), while the client is told
                                 they last N seconds: an expired token without waiting for one.
                                 count=K: only the next K tokens (of U), ahead of any lasting
                                 expiry override; then what applied before applies again.
  POST /control/delay?ms=N[&user=U]          answer token requests N ms late (0 = off)
  POST /control/fail?count=N[&status=503][&user=U]
                                 make the next N token requests fail with STATUS
  POST /control/revoke-refresh-tokens        forget every refresh token issued so far
  POST /control/reset[?user=U]   drop every override, or only U's (not the log, not the refresh tokens)
  `user=U` scopes an override to one account ("" = anonymous): tests running in parallel should
  scope their overrides to a user of their own (or use the "shortlived" user) so they do not
  change the tokens other tests get. Precedence: override for the user > the user's config
  "expires_in" > global override > config/--expires-in default.

JWT: RS256 (RSA key) or ES256 (EC P-256 key), header {"typ":"JWT","alg":..,"x5c":[leaf, chain...]}.
docker-registry 2.8 verifies the x5c chain against auth.token.rootcertbundle (leaf signed by a CA
in the bundle) and then the signature with the leaf's key. Claims: iss, sub (user, "" anonymous),
aud (= service), exp, nbf, iat, jti, access: [{type, name, actions}].
The registry accepts a token until exp + 60 s (distribution's fixed clock-skew Leeway), so exp is
written as ceil(now) + registry_seconds - 60: the registry really refuses the token (401
invalid_token) between registry_seconds and registry_seconds + 1 s after it was issued, and at
once when registry_seconds is negative. exp can therefore be earlier than iat for short lifetimes;
clients must rely on expires_in (as the spec says), not on decoding the JWT.

Request log (--log): one JSON object per token request (not for /control or /healthz):
  {"time" (UTC, milliseconds), "method", "grant": "anonymous"|"basic"|"password"|"refresh_token"|null,
   "user" (null if anonymous/unknown), "service", "client_id", "offline",
   "scopes_requested": [...], "scopes_granted": [...], "status", "expires_in", "jti", "error"}
Passwords and tokens are never logged.
"""

import argparse
import base64
import fnmatch
import json
import math
import re
import secrets
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

# distribution/registry/auth/token: Leeway = 60 * time.Second on both exp and nbf.
REGISTRY_LEEWAY = 60


class HTTPError(Exception):
    def __init__(self, status, error, description, code=None, headers=None):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.code = code or {401: "UNAUTHORIZED", 403: "DENIED"}.get(status, "UNSUPPORTED")
        self.headers = headers or {}

    def body(self):
        return {
            "error": self.error,
            "error_description": self.description,
            "errors": [{"code": self.code, "message": self.description}],
        }


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def now_iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso_ms(t):
    d = datetime.fromtimestamp(t, timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def parse_scope(item):
    """'repository:library/busybox:pull,push' -> (type, name, [actions]).

    The type may carry a class ('repository(plugin)'); the name may contain ':'
    only in theory, so the actions are taken after the LAST ':'."""
    head, sep, actions = item.rpartition(":")
    if not sep:
        raise ValueError(item)
    rtype, sep, name = head.partition(":")
    if not sep or not rtype or not name:
        raise ValueError(item)
    acts = [a for a in actions.split(",") if a]
    return rtype, name, acts


def format_scope(rtype, name, actions):
    return f"{rtype}:{name}:{','.join(actions)}"


class Issuer:
    def __init__(self, config, key, chain, log_path, expires_in_override):
        self.config = config
        self.key = key
        self.chain_b64 = [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii")
                          for c in chain]
        if isinstance(key, rsa.RSAPrivateKey):
            self.alg = "RS256"
        elif isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
            self.alg = "ES256"
        else:
            raise SystemExit("issuer: key must be RSA or EC P-256")
        self.default_expires_in = int(expires_in_override if expires_in_override is not None
                                      else config.get("expires_in", 300))
        self.lock = threading.Lock()
        self.log_lock = threading.Lock()
        self.log_file = open(log_path, "a", encoding="utf-8") if log_path else None
        # overrides[None] is global, overrides["user"] per account ("" = anonymous).
        self.overrides = {}
        self.refresh_tokens = {}  # token -> {"user", "service"}
        self.counters = {"token_requests": 0, "tokens_issued": 0}

    # -------------------------------------------------------------- settings

    def _override(self, user, key):
        with self.lock:
            if user in self.overrides and key in self.overrides[user]:
                return self.overrides[user][key]
        return None

    def lifetime(self, user):
        """(expires_in, registry_seconds) for the next token of USER (None = anonymous)."""
        account = user or ""
        with self.lock:
            slot = self.overrides.get(account, {})
            once = slot.get("expiry_next")
            if once and once["count"] > 0:
                once["count"] -= 1
                if once["count"] == 0:
                    del slot["expiry_next"]
                return once["value"]
        ov = self._override(account, "expiry")
        if ov is None:
            u = self.config["users"].get(user) if user else None
            if u and "expires_in" in u:
                secs = int(u["expires_in"])
                ov = (secs, secs)
        if ov is None:
            ov = self._override(None, "expiry")
        if ov is None:
            ov = (self.default_expires_in, self.default_expires_in)
        return ov

    def take_failure(self, user):
        """If a fail override applies, consume one and return its status."""
        with self.lock:
            for k in (user or "", None):
                slot = self.overrides.get(k, {})
                f = slot.get("fail")
                if f and f["count"] > 0:
                    f["count"] -= 1
                    if f["count"] == 0:
                        del slot["fail"]
                    return f["status"]
        return None

    def delay_ms(self, user):
        for k in (user or "", None):
            d = self._override(k, "delay_ms")
            if d is not None:
                return d
        return 0

    def set_override(self, user, key, value):
        with self.lock:
            slot = self.overrides.setdefault(user, {})
            if value is None:
                slot.pop(key, None)
            else:
                slot[key] = value

    # -------------------------------------------------------------- auth

    def check_password(self, user, password):
        u = self.config["users"].get(user)
        return u is not None and secrets.compare_digest(str(u["password"]), password)

    def allowed_actions(self, user, rtype, name):
        allowed = set()
        for rule in self.config["acl"]:
            accounts = rule.get("accounts", [])
            if user is None:
                if "" not in accounts:
                    continue
            elif user not in accounts and "*" not in accounts:
                continue
            rule_type = rule.get("type", "repository")
            if rule_type != "*" and rule_type != rtype:
                continue
            if not fnmatch.fnmatchcase(name, rule.get("name", "*")):
                continue
            allowed.update(rule.get("actions", []))
        return allowed

    def grant(self, user, scopes):
        """scopes: [(type, name, actions)] -> merged, intersected access list."""
        merged = {}
        order = []
        for rtype, name, actions in scopes:
            k = (rtype, name)
            if k not in merged:
                merged[k] = []
                order.append(k)
            for a in actions:
                if a not in merged[k]:
                    merged[k].append(a)
        access = []
        for rtype, name in order:
            allowed = self.allowed_actions(user, rtype, name)
            granted = [a for a in merged[(rtype, name)] if "*" in allowed or a in allowed]
            if granted:
                access.append({"type": rtype, "name": name, "actions": granted})
        return access

    # -------------------------------------------------------------- tokens

    def make_jwt(self, user, access, registry_seconds):
        now = time.time()
        iat = int(now)
        # The registry refuses the token once now > exp + 60. Rounding up keeps it
        # valid for at least registry_seconds (and at most one second more).
        exp = math.ceil(now) + int(registry_seconds) - REGISTRY_LEEWAY
        jti = secrets.token_hex(16)
        header = {"typ": "JWT", "alg": self.alg, "x5c": self.chain_b64}
        claims = {
            "iss": self.config["issuer"],
            "sub": user or "",
            "aud": self.config["service"],
            "exp": exp,
            "nbf": iat,
            "iat": iat,
            "jti": jti,
            "access": access,
        }
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode())
                         + "." + b64url(json.dumps(claims, separators=(",", ":")).encode()))
        data = signing_input.encode("ascii")
        if self.alg == "RS256":
            sig = self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        else:
            r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
            sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return signing_input + "." + b64url(sig), iat, jti

    def new_refresh_token(self, user, service):
        tok = "airgap-refresh-" + secrets.token_urlsafe(24)
        with self.lock:
            self.refresh_tokens[tok] = {"user": user, "service": service}
        return tok

    def lookup_refresh_token(self, tok):
        with self.lock:
            return self.refresh_tokens.get(tok)

    def log(self, entry):
        if not self.log_file:
            return
        line = json.dumps(entry, separators=(",", ":"))
        with self.log_lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "airgap-token-issuer/1"
    issuer = None  # set in main()

    # ---------------------------------------------------------- plumbing

    def log_message(self, fmt, *args):  # stderr access log, the process log
        sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def send_json(self, status, obj, headers=None):
        body = (json.dumps(obj) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    # ---------------------------------------------------------- routing

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/healthz":
            body = b"ok\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif url.path == "/token":
            self.token(url, parse_qs(url.query, keep_blank_values=True), "GET")
        elif url.path == "/control":
            self.control_state()
        else:
            self.send_json(404, {"error": "not_found", "error_description": url.path})

    def do_POST(self):
        url = urlsplit(self.path)
        body = self.read_body()
        if url.path == "/token":
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            self.token(url, form, "POST")
        elif url.path.startswith("/control/"):
            self.control(url.path[len("/control/"):], parse_qs(url.query, keep_blank_values=True))
        else:
            self.send_json(404, {"error": "not_found", "error_description": url.path})

    # ---------------------------------------------------------- /token

    def token(self, url, params, method):
        iss = self.issuer
        with iss.lock:
            iss.counters["token_requests"] += 1

        def one(name):
            v = params.get(name)
            return v[-1] if v else None

        entry = {
            "time": now_iso_ms(time.time()),
            "method": method,
            "grant": None,
            "user": None,
            "service": one("service"),
            "client_id": one("client_id"),
            "offline": False,
            "scopes_requested": [],
            "scopes_granted": [],
            "status": None,
            "expires_in": None,
            "jti": None,
            "error": None,
        }
        try:
            # Scopes: repeated parameters, each possibly space-separated (OAuth2 form).
            raw_scopes = [s for v in params.get("scope", []) for s in v.split(" ") if s]
            entry["scopes_requested"] = raw_scopes
            user, grant, offline = self.authenticate(method, params, one, entry)
            entry["grant"], entry["user"], entry["offline"] = grant, user, offline

            service = one("service")
            if not service:
                raise HTTPError(400, "invalid_request", "missing service parameter")
            if service != iss.config["service"]:
                raise HTTPError(400, "invalid_request",
                                f"unknown service {service!r} (this issuer serves {iss.config['service']!r})")
            try:
                scopes = [parse_scope(s) for s in raw_scopes]
            except ValueError as e:
                raise HTTPError(400, "invalid_scope", f"malformed scope {e.args[0]!r}")

            status = iss.take_failure(user)
            if status is not None:
                raise HTTPError(status, "temporarily_unavailable", "failure injected by /control/fail",
                                code="UNAVAILABLE")
            d = iss.delay_ms(user)
            if d:
                time.sleep(d / 1000.0)

            access = iss.grant(user, scopes)
            expires_in, registry_seconds = iss.lifetime(user)
            jwt, iat, jti = iss.make_jwt(user, access, registry_seconds)
            with iss.lock:
                iss.counters["tokens_issued"] += 1
            granted = [format_scope(a["type"], a["name"], a["actions"]) for a in access]
            entry.update(scopes_granted=granted, expires_in=expires_in, jti=jti, status=200)
            resp = {"expires_in": expires_in, "issued_at": now_iso(iat)}
            if method == "GET":
                resp["token"] = jwt
                resp["access_token"] = jwt
            else:
                resp["access_token"] = jwt
                resp["scope"] = " ".join(granted)
            if offline:
                resp["refresh_token"] = iss.new_refresh_token(user, service)
            iss.log(entry)
            self.send_json(200, resp)
        except HTTPError as e:
            entry.update(status=e.status, error=e.description)
            iss.log(entry)
            self.send_json(e.status, e.body(), e.headers)

    def authenticate(self, method, params, one, entry):
        """-> (user or None, grant, offline). Fills entry's grant and user (the name
        tried, also when the password is wrong) as soon as they are known."""
        iss = self.issuer
        if method == "GET":
            offline = (one("offline_token") or "").lower() == "true"
            auth = self.headers.get("Authorization")
            if not auth:
                return None, "anonymous", False
            scheme, _, cred = auth.partition(" ")
            if scheme.lower() != "basic":
                raise HTTPError(400, "invalid_request", f"unsupported Authorization scheme {scheme!r}")
            try:
                user, sep, password = base64.b64decode(cred.strip(), validate=True).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                raise HTTPError(400, "invalid_request", "malformed Basic credentials")
            entry["grant"], entry["user"] = "basic", user
            if not sep or not iss.check_password(user, password):
                raise HTTPError(401, "invalid_grant", "incorrect username or password")
            return user, "basic", offline

        grant = one("grant_type")
        entry["grant"] = grant
        if grant == "password":
            user, password = one("username"), one("password")
            entry["user"] = user
            if user is None or password is None:
                raise HTTPError(400, "invalid_request", "password grant needs username and password")
            if not iss.check_password(user, password):
                raise HTTPError(401, "invalid_grant", "incorrect username or password")
            return user, "password", one("access_type") == "offline"
        if grant == "refresh_token":
            tok = one("refresh_token")
            if not tok:
                raise HTTPError(400, "invalid_request", "refresh_token grant needs refresh_token")
            info = iss.lookup_refresh_token(tok)
            if info is None:
                raise HTTPError(401, "invalid_grant", "unknown or revoked refresh token")
            entry["user"] = info["user"]
            if one("service") and one("service") != info["service"]:
                raise HTTPError(401, "invalid_grant", "refresh token was issued for another service")
            return info["user"], "refresh_token", False
        raise HTTPError(400, "unsupported_grant_type", f"unsupported grant_type {grant!r}")

    # ---------------------------------------------------------- /control

    def control_state(self):
        iss = self.issuer
        with iss.lock:
            ov = {}
            for k, v in iss.overrides.items():
                ov["(global)" if k is None else ("(anonymous)" if k == "" else k)] = v
            state = {
                "default_expires_in": iss.default_expires_in,
                "overrides": ov,
                "refresh_tokens": len(iss.refresh_tokens),
                "counters": dict(iss.counters),
            }
        self.send_json(200, state)

    def control(self, action, q):
        iss = self.issuer

        def one(name, default=None):
            v = q.get(name)
            return v[-1] if v else default

        user = one("user")  # None = global, "" = anonymous
        try:
            if action == "expiry":
                secs = int(one("seconds"))
                reg = int(one("registry_seconds", secs))
                count = one("count")
                if secs < 0:
                    raise ValueError("negative seconds")
                if count is None:
                    iss.set_override(user, "expiry", (secs, reg))
                elif int(count) > 0:
                    iss.set_override(user, "expiry_next", {"count": int(count), "value": (secs, reg)})
                else:
                    raise ValueError("count must be positive")
            elif action == "delay":
                ms = int(one("ms"))
                iss.set_override(user, "delay_ms", ms if ms > 0 else None)
            elif action == "fail":
                count = int(one("count", "1"))
                status = int(one("status", "503"))
                iss.set_override(user, "fail", {"count": count, "status": status} if count > 0 else None)
            elif action == "revoke-refresh-tokens":
                with iss.lock:
                    iss.refresh_tokens.clear()
            elif action == "reset":
                with iss.lock:
                    if "user" in q:
                        iss.overrides.pop(user, None)
                    else:
                        iss.overrides.clear()
            else:
                self.send_json(404, {"error": "not_found", "error_description": action})
                return
        except (TypeError, ValueError) as e:
            self.send_json(400, {"error": "invalid_request", "error_description": f"bad parameters: {e}"})
            return
        self.control_state()


def main():
    ap = argparse.ArgumentParser(description="Docker registry token issuer for tests")
    ap.add_argument("--config", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--key", required=True, help="PEM private key (RSA or EC P-256)")
    ap.add_argument("--cert", required=True, help="PEM certificate chain, the key's certificate first")
    ap.add_argument("--log", help="request log, one JSON line per token request")
    ap.add_argument("--expires-in", type=int, help="override the config's expires_in")
    args = ap.parse_args()

    with open(args.config, encoding="utf-8") as f:
        config = json.load(f)
    for k in ("issuer", "service", "users", "acl"):
        if k not in config:
            raise SystemExit(f"issuer: config lacks {k!r}")
    with open(args.key, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    with open(args.cert, "rb") as f:
        # load_pem_x509_certificates needs cryptography >= 39; Debian 12 has 38.
        pem = f.read()
        chain = [x509.load_pem_x509_certificate(m.group(0))
                 for m in re.finditer(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", pem, re.S)]
    if not chain:
        raise SystemExit("issuer: no certificate in --cert")

    Handler.issuer = Issuer(config, key, chain, args.log, args.expires_in)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    sys.stderr.write(f"issuer: listening on http://{args.host}:{args.port} ({Handler.issuer.alg})\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
