"""JWT authorizers of HTTP APIs (SAM's `Auth.Authorizers.X.JwtConfiguration`): the token in the
Authorization header is checked against the issuer's keys, found as API Gateway finds them
(<issuer>/.well-known/openid-configuration -> jwks_uri), or given with --jwks, or not checked
at all with --jwt-skip-signature. The issuer here is a small identity provider served by the
test on a loopback port; tokens are signed with `openssl` (RS256) by the test.

Expected values come from AWS's documentation, "Controlling access to HTTP APIs with JWT
authorizers": the token may carry "Bearer "; the signature must verify with the issuer's key of
the token's kid; iss must equal the issuer; aud (or client_id when there is no aud) must be one
of the audiences; exp must be in the future, nbf and iat in the past; a route's
AuthorizationScopes need one of them in `scope`; a refusal is 401 {"message":"Unauthorized"}
(403 {"message":"Forbidden"} for missing scopes); the function's event carries
requestContext.authorizer.jwt {claims, scopes}.

No timing assertions; tokens expire an hour after the test makes them (or an hour before)."""
import base64
import http.client
import http.server
import json
import os
import subprocess
import tempfile
import threading
import time
import unittest

from .harness import Emulator, Project, free_port

HANDLER = '''
import json

def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
'''


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    """An RSA key (made with openssl), its JWKS, and an HTTP server publishing them."""

    def __init__(self, folder: str):
        self.key = os.path.join(folder, "key.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                        "-out", self.key], check=True, capture_output=True)
        modulus = subprocess.run(["openssl", "rsa", "-in", self.key, "-noout", "-modulus"], check=True,
                                 capture_output=True, text=True).stdout.strip().split("=", 1)[1]
        self.jwks = {"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
                               "n": b64url(bytes.fromhex(modulus)), "e": b64url((65537).to_bytes(3, "big"))}]}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/keys"}
                elif self.path == "/keys":
                    body = issuer.jwks
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def token(self, key: str | None = None, **claims) -> str:
        now = int(time.time())
        payload = {"iss": self.url, "aud": "app", "sub": "user-1", "iat": now - 60, "exp": now + 3600}
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        signing_input = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "k1"}).encode()) + "." + \
            b64url(json.dumps(payload).encode())
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key or self.key], input=signing_input.encode(),
                                   check=True, capture_output=True).stdout
        return signing_input + "." + b64url(signature)


def template(issuer: str) -> str:
    return f"""AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: {issuer}
              audience: [app, other]
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.echo
      CodeUri: .
      Events:
        Me:
          Type: HttpApi
          Properties: {{ApiId: !Ref Api, Path: /me, Method: GET}}
        Admin:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /admin
            Method: GET
            Auth: {{Authorizer: Jwt, AuthorizationScopes: [admin]}}
        Open:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /open
            Method: GET
            Auth: {{Authorizer: NONE}}
"""


class JwtAuthorizerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="lambda-local-jwt-")
        cls.issuer = Issuer(cls.folder)
        cls.project = Project(template(cls.issuer.url), {"app.py": HANDLER})
        cls.emu = Emulator(cls.project)
        cls.emu.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.emu.stop()
        finally:
            cls.emu.kill()
            cls.project.cleanup()
            cls.issuer.close()

    def get(self, path: str, token: str | None = None, emu: Emulator | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", (emu or self.emu).api_port, timeout=60)
        conn.request("GET", path, headers={"Authorization": token} if token is not None else {})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return r.status, body

    def test_startup_names_the_keys(self):
        self.assertIn(f"key(s) of issuer {self.issuer.url} from its discovery document", self.emu.output())

    def test_valid_token_reaches_the_function_with_its_claims(self):
        status, body = self.get("/me", "Bearer " + self.issuer.token(scope="read write"))
        self.assertEqual(status, 200, body)
        jwt = json.loads(body)["requestContext"]["authorizer"]["jwt"]
        self.assertEqual(jwt["claims"]["sub"], "user-1")
        self.assertEqual(jwt["claims"]["iss"], self.issuer.url)
        self.assertEqual(jwt["scopes"], ["read", "write"])
        # Without "Bearer " too.
        status, _ = self.get("/me", self.issuer.token())
        self.assertEqual(status, 200)

    def test_refusals_are_401(self):
        other_key = os.path.join(self.folder, "other.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-out", other_key], check=True, capture_output=True)
        now = int(time.time())
        good = self.issuer.token()
        for name, token in (("none", None),
                            ("empty", ""),
                            ("garbage", "Bearer not-a-jwt"),
                            ("other key", self.issuer.token(key=other_key)),
                            ("tampered", good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")),
                            ("expired", self.issuer.token(iat=now - 7200, exp=now - 3600)),
                            ("not yet", self.issuer.token(nbf=now + 3600)),
                            ("other issuer", self.issuer.token(iss="https://elsewhere.example")),
                            ("other audience", self.issuer.token(aud="nobody"))):
            with self.subTest(name):
                status, body = self.get("/me", token)
                self.assertEqual(status, 401, body)
                self.assertEqual(json.loads(body), {"message": "Unauthorized"})

    def test_client_id_stands_for_a_missing_aud(self):
        status, body = self.get("/me", self.issuer.token(aud=None, client_id="other"))
        self.assertEqual(status, 200, body)

    def test_route_scopes(self):
        status, body = self.get("/admin", self.issuer.token(scope="read"))
        self.assertEqual(status, 403, body)
        self.assertEqual(json.loads(body), {"message": "Forbidden"})
        status, body = self.get("/admin", self.issuer.token(scope="read admin"))
        self.assertEqual(status, 200, body)

    def test_route_without_authorizer_is_open(self):
        status, _ = self.get("/open")
        self.assertEqual(status, 200)

    def test_jwks_file_and_skipped_signatures(self):
        # An issuer that publishes nothing: its keys come from --jwks, or signatures are not checked.
        silent = "http://127.0.0.1:%d" % free_port()
        jwks = os.path.join(self.folder, "jwks.json")
        with open(jwks, "w") as f:
            json.dump(self.issuer.jwks, f)
        project = Project(template(silent), {"app.py": HANDLER})
        try:
            token = self.issuer.token(iss=silent)
            with Emulator(project, ["--jwks", jwks]) as emu:
                self.assertEqual(self.get("/me", token, emu)[0], 200)
                self.assertEqual(self.get("/me", self.issuer.token(iss=silent, aud="x"), emu)[0], 401)
            with Emulator(project) as emu:
                self.assertIn("its tokens are refused", emu.output())
                self.assertEqual(self.get("/me", token, emu)[0], 401)
            with Emulator(project, ["--jwt-skip-signature"]) as emu:
                unsigned = token.rsplit(".", 1)[0] + "." + b64url(b"not a signature")
                self.assertEqual(self.get("/me", unsigned, emu)[0], 200)
                self.assertEqual(self.get("/me", self.issuer.token(iss=silent, exp=1), emu)[0], 401)
        finally:
            project.cleanup()


COGNITO_ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Local"
COGNITO_TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Auth:
        DefaultAuthorizer: Pool
        Authorizers:
          Pool:
            UserPoolArn: arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Local
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.echo
      CodeUri: .
      Events:
        Me:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /me, Method: GET}
"""


class CognitoAuthorizerTest(unittest.TestCase):
    """A REST API's Cognito user-pool authorizer (SAM UserPoolArn): the token in Authorization is a
    JWT of the pool (iss https://cognito-idp.<region>.amazonaws.com/<pool id>, any app client),
    checked against the keys given with --jwks (this machine cannot reach Cognito); its claims
    reach the function at requestContext.authorizer.claims; a refusal is 401 Unauthorized
    (AWS's "Control access to REST APIs using Amazon Cognito user pools as an authorizer")."""

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="lambda-local-cognito-")
        cls.issuer = Issuer(cls.folder)
        jwks = os.path.join(cls.folder, "jwks.json")
        with open(jwks, "w") as f:
            json.dump(cls.issuer.jwks, f)
        cls.project = Project(COGNITO_TEMPLATE, {"app.py": HANDLER})
        cls.emu = Emulator(cls.project, ["--jwks", jwks])
        cls.emu.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.emu.stop()
        finally:
            cls.emu.kill()
            cls.project.cleanup()
            cls.issuer.close()

    def get(self, token=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.api_port, timeout=60)
        conn.request("GET", "/me", headers={"Authorization": token} if token is not None else {})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return r.status, body

    def test_pool_token_reaches_the_function_with_its_claims(self):
        token = self.issuer.token(iss=COGNITO_ISSUER, aud="any-app-client", email="a@example.com")
        status, body = self.get(token)
        self.assertEqual(status, 200, body)
        claims = json.loads(body)["requestContext"]["authorizer"]["claims"]
        self.assertEqual(claims["email"], "a@example.com")
        self.assertEqual(claims["iss"], COGNITO_ISSUER)

    def test_refusals_are_401(self):
        now = int(time.time())
        for name, token in (("none", None),
                            ("other pool", self.issuer.token(iss=COGNITO_ISSUER + "x")),
                            ("expired", self.issuer.token(iss=COGNITO_ISSUER, iat=now - 7200, exp=now - 3600))):
            with self.subTest(name):
                status, body = self.get(token)
                self.assertEqual(status, 401, body)
                self.assertEqual(json.loads(body), {"message": "Unauthorized"})


if __name__ == "__main__":
    unittest.main()
