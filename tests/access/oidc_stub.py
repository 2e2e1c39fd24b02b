"""A tiny OpenID Connect provider on 127.0.0.1 for the single sign-on tests: no network.

It speaks just enough of the authorization-code flow (discovery, authorize, token with PKCE,
userinfo, JWKS) for allauth to run its real code path, and signs ID tokens with a throw-away
RSA key. Tests say who logs in next with ``StubProvider.login_as``.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "casus-test"
CLIENT_SECRET = "stub-secret"  # noqa: S105 — a test fixture, not a credential
KID = "stub-key-1"


@dataclass
class Identity:
    """Who the stub says logged in, and how."""

    sub: str
    email: str
    email_verified: bool = True
    amr: list[str] | None = None
    acr: str | None = None
    #: Extra claims the userinfo answer adds (never the ID token).
    userinfo_extra: dict[str, Any] = field(default_factory=dict)


class StubProvider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.identity: Identity | None = None
        self.codes: dict[str, tuple[Identity, dict[str, str]]] = {}
        self.tokens: dict[str, Identity] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def login_as(self, identity: Identity) -> None:
        self.identity = identity

    def visit(self, authorize_url: str) -> str:
        """Play the browser at the provider: return where it sends the browser back to."""
        response = requests.get(authorize_url, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return str(response.headers["Location"])

    # --- endpoints ---------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, params: dict[str, str]) -> str:
        self.authorize_requests.append(params)
        assert params["client_id"] == CLIENT_ID
        assert params["response_type"] == "code"
        assert "openid" in params["scope"].split()
        assert params["code_challenge_method"] == "S256"
        assert self.identity is not None, "call login_as() first"
        code = secrets.token_urlsafe(16)
        self.codes[code] = (self.identity, params)
        query = urlencode({"code": code, "state": params["state"]})
        return f"{params['redirect_uri']}?{query}"

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        issued = self.codes.pop(form.get("code", ""), None)
        if issued is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        identity, params = issued
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != params["code_challenge"] or (
            form.get("redirect_uri") != params["redirect_uri"]
        ):
            return 400, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = identity
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": identity.sub,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "jti": secrets.token_hex(8),
            "email": identity.email,
            "email_verified": identity.email_verified,
        }
        if identity.amr is not None:
            claims["amr"] = identity.amr
        if identity.acr is not None:
            claims["acr"] = identity.acr
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        identity = self.tokens.get(authorization.removeprefix("Bearer "))
        if identity is None:
            return 401, {"error": "invalid_token"}
        return 200, {
            "sub": identity.sub,
            "email": identity.email,
            "email_verified": identity.email_verified,
            **identity.userinfo_extra,
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}


def _handler(stub: StubProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Keep the test output quiet."""

        def _json(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            params = {key: values[0] for key, values in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, stub.discovery())
            elif parts.path == "/authorize":
                try:
                    location = stub.authorize(params)
                except (AssertionError, KeyError) as error:
                    self._json(400, {"error": "invalid_request", "detail": repr(error)})
                    return
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif parts.path == "/userinfo":
                self._json(*stub.userinfo(self.headers.get("Authorization", "")))
            elif parts.path == "/jwks":
                self._json(200, stub.jwks())
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path == "/token":
                self._json(*stub.token(form))
            else:
                self._json(404, {"error": "not_found"})

    return Handler
