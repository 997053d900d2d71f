"""A small, standards-following OpenID Connect provider for the tests, run as its own process.

    python -m tests.oidc.provider --alg RS512

prints `READY <port>` once it listens on 127.0.0.1 (a free port). It implements discovery,
JWKS, the authorisation endpoint with a login form (authorisation code flow; PKCE S256 is
required), the token endpoint (client_secret_basic or client_secret_post, single-use codes,
redirect URI and code verifier checked), userinfo, and RP-initiated logout. ID tokens are signed
with a real RSA key (joserfc). Tests register clients and people through `/_test/` endpoints,
read what happened from `/_test/log`, and may ask for the next ID token to misbehave
(`/_test/next-id-token`: another audience, an expiry in the past, someone else's nonce), which
is how a wrong or replayed token reaches the client as it would from a faulty or hostile
provider. Nothing here imports the workspace.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import sys
import threading
import time
from http.cookies import SimpleCookie
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode, urlparse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class State:
    def __init__(self, alg: str):
        self.alg = alg
        self.key = RSAKey.generate_key(2048, parameters={"kid": f"test-{alg}", "use": "sig"})
        self.clients: dict[str, dict] = {}
        self.people: dict[str, dict] = {}
        self.codes: dict[str, dict] = {}
        self.sessions: dict[str, str] = {}
        self.access_tokens: dict[str, str] = {}
        self.next_id_token: dict = {}
        self.log: list[dict] = []
        self.lock = threading.Lock()
        self.issuer = ""


def _json(start, body, status="200 OK", headers=()):
    data = json.dumps(body).encode()
    start(status, [("Content-Type", "application/json"), *headers])
    return [data]


def _redirect(start, location, headers=()):
    start("302 Found", [("Location", location), *headers])
    return [b""]


def _error(start, status, text):
    start(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


def _form(environ) -> dict[str, str]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length).decode() if length else ""
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def _query(environ) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}


def _b64url_sha256(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _with_query(uri: str, params: dict) -> str:
    return f"{uri}{'&' if urlparse(uri).query else '?'}{urlencode(params)}"


LOGIN_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Test identity provider</title></head><body><main>
<h1>Test identity provider</h1>
<form method="post" action="/authorize">{hidden}
<p><label for="username">Provider username</label> <input id="username" name="username"></p>
<p><label for="password">Provider password</label>
<input id="password" name="password" type="password"></p>
<p><button type="submit">Sign in at the provider</button></p>
</form></main></body></html>"""


def make_app(state: State):
    def client_auth(environ, form) -> dict | None:
        client_id = secret = None
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Basic "):
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, secret = decoded.partition(":")
        elif "client_id" in form:
            client_id, secret = form.get("client_id"), form.get("client_secret")
        client = state.clients.get(client_id or "")
        if client and secrets.compare_digest(client["secret"], secret or ""):
            return client
        return None

    def issue_code(params: dict, sub: str) -> str:
        code = secrets.token_urlsafe(24)
        with state.lock:
            state.codes[code] = {**params, "sub": sub, "auth_time": int(time.time())}
        state.log.append({"event": "authorised", "sub": sub, "nonce": params.get("nonce")})
        return code

    def authorize(environ, start):
        params = _query(environ) if environ["REQUEST_METHOD"] == "GET" else _form(environ)
        client = state.clients.get(params.get("client_id", ""))
        if client is None or params.get("redirect_uri") not in client["redirect_uris"]:
            return _error(start, "400 Bad Request", "unknown client or redirect_uri")
        redirect_uri = params["redirect_uri"]
        if params.get("response_type") != "code" or "openid" not in params.get("scope", "").split():
            return _redirect(start, _with_query(redirect_uri, {"error": "invalid_request"}))
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            return _redirect(
                start,
                _with_query(
                    redirect_uri,
                    {"error": "invalid_request", "error_description": "PKCE S256 required"},
                ),
            )
        state.log.append({"event": "authorize", "params": params})
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        session_sub = (
            state.sessions.get(cookie["op_session"].value) if "op_session" in cookie else None
        )
        keep = {
            k: params[k]
            for k in (
                "client_id",
                "redirect_uri",
                "response_type",
                "scope",
                "state",
                "nonce",
                "code_challenge",
                "code_challenge_method",
                "acr_values",
            )
            if k in params
        }
        if environ["REQUEST_METHOD"] == "POST" and "username" in params:
            person = state.people.get(params["username"])
            if person is None or person["password"] != params.get("password"):
                return _error(start, "401 Unauthorized", "wrong provider username or password")
            session = secrets.token_urlsafe(16)
            state.sessions[session] = params["username"]
            code = issue_code(keep, params["username"])
            location = _with_query(redirect_uri, {"code": code, "state": params.get("state", "")})
            return _redirect(
                start, location, [("Set-Cookie", f"op_session={session}; Path=/; HttpOnly")]
            )
        if session_sub:
            code = issue_code(keep, session_sub)
            return _redirect(
                start, _with_query(redirect_uri, {"code": code, "state": params.get("state", "")})
            )
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in keep.items()
        )
        start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [LOGIN_PAGE.format(hidden=hidden).encode()]

    def token(environ, start):
        form = _form(environ)
        client = client_auth(environ, form)
        if client is None:
            return _json(start, {"error": "invalid_client"}, "401 Unauthorized")
        with state.lock:
            grant = state.codes.pop(form.get("code", ""), None)
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or grant["client_id"] != client["client_id"]
            or grant["redirect_uri"] != form.get("redirect_uri")
        ):
            return _json(start, {"error": "invalid_grant"}, "400 Bad Request")
        if _b64url_sha256(form.get("code_verifier", "")) != grant["code_challenge"]:
            return _json(
                start,
                {"error": "invalid_grant", "error_description": "PKCE verifier"},
                "400 Bad Request",
            )
        person = state.people[grant["sub"]]
        now = int(time.time())
        claims = {
            "iss": state.issuer,
            "sub": person["sub"],
            "aud": client["client_id"],
            "iat": now,
            "exp": now + 300,
            "auth_time": grant["auth_time"],
            "acr": person.get("acr", ""),
            "email": person.get("email", ""),
            "email_verified": person.get("email_verified", False),
            "given_name": person.get("given_name", ""),
            "family_name": person.get("family_name", ""),
        }
        if person.get("ods"):
            claims["ods_code"] = person["ods"]
        if grant.get("nonce"):
            claims["nonce"] = grant["nonce"]
        with state.lock:
            overrides, state.next_id_token = state.next_id_token, {}
        if "exp_offset" in overrides:
            claims["exp"] = now + overrides.pop("exp_offset")
            claims["iat"] = claims["exp"] - 300
        claims.update(overrides)
        id_token = jwt.encode(
            {"alg": state.alg, "kid": state.key.kid}, claims, state.key, algorithms=[state.alg]
        )
        access = secrets.token_urlsafe(24)
        state.access_tokens[access] = grant["sub"]
        state.log.append({"event": "token", "sub": person["sub"], "nonce": claims.get("nonce")})
        return _json(
            start,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
            headers=[("Cache-Control", "no-store")],
        )

    def userinfo(environ, start):
        header = environ.get("HTTP_AUTHORIZATION", "")
        username = state.access_tokens.get(header.removeprefix("Bearer "))
        if username is None:
            return _json(start, {"error": "invalid_token"}, "401 Unauthorized")
        person = state.people[username]
        return _json(start, {"sub": person["sub"], "email": person.get("email", "")})

    def end_session(environ, start):
        params = _query(environ)
        try:
            hint = jwt.decode(params.get("id_token_hint", ""), state.key, algorithms=[state.alg])
        except Exception:  # a hint we did not sign: refuse, as a provider should
            return _error(start, "400 Bad Request", "bad id_token_hint")
        client = state.clients.get(hint.claims["aud"])
        target = params.get("post_logout_redirect_uri", "")
        if client is None or (target and target not in client["post_logout_redirect_uris"]):
            return _error(start, "400 Bad Request", "unregistered post_logout_redirect_uri")
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        if "op_session" in cookie:
            state.sessions.pop(cookie["op_session"].value, None)
        state.log.append({"event": "logout", "sub": hint.claims["sub"]})
        expire = [("Set-Cookie", "op_session=; Path=/; Max-Age=0")]
        if target:
            extra = {"state": params["state"]} if params.get("state") else {}
            return _redirect(start, _with_query(target, extra) if extra else target, expire)
        start("200 OK", [("Content-Type", "text/plain"), *expire])
        return [b"signed out"]

    def app(environ, start):
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/.well-known/openid-configuration":
            i = state.issuer
            return _json(
                start,
                {
                    "issuer": i,
                    "authorization_endpoint": f"{i}/authorize",
                    "token_endpoint": f"{i}/token",
                    "userinfo_endpoint": f"{i}/userinfo",
                    "jwks_uri": f"{i}/jwks",
                    "end_session_endpoint": f"{i}/logout",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": [state.alg],
                    "code_challenge_methods_supported": ["S256"],
                    "token_endpoint_auth_methods_supported": [
                        "client_secret_basic",
                        "client_secret_post",
                    ],
                    "scopes_supported": ["openid", "profile", "email"],
                    "acr_values_supported": ["AAL1", "AAL2", "AAL3"],
                },
            )
        if path == "/jwks":
            return _json(start, KeySet([state.key]).as_dict(private=False))
        if path == "/authorize":
            return authorize(environ, start)
        if path == "/token" and method == "POST":
            return token(environ, start)
        if path == "/userinfo":
            return userinfo(environ, start)
        if path == "/logout":
            return end_session(environ, start)
        if path == "/_test/clients" and method == "POST":
            body = json.loads(_form_raw(environ))
            state.clients[body["client_id"]] = body
            return _json(start, {"ok": True})
        if path == "/_test/people" and method == "POST":
            body = json.loads(_form_raw(environ))
            state.people[body["username"]] = body
            return _json(start, {"ok": True})
        if path == "/_test/next-id-token" and method == "POST":
            state.next_id_token = json.loads(_form_raw(environ))
            return _json(start, {"ok": True})
        if path == "/_test/log":
            return _json(start, state.log)
        return _error(start, "404 Not Found", "not found")

    return app


def _form_raw(environ) -> str:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length).decode() if length else "{}"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alg", default="RS256")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    state = State(args.alg)
    server = make_server(
        "127.0.0.1",
        args.port,
        make_app(state),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    state.issuer = f"http://127.0.0.1:{server.server_port}"
    print(f"READY {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
