import hashlib
import hmac
import json

SECRET = "test-shared-secret"


def signed_post(
    client, path: str, body: bytes, *, secret: str = SECRET, content_type="application/json", header="HTTP_X_SIGNATURE"
):
    sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.generic("POST", path, body, content_type=content_type, **{header: sig})


def signed_json(client, path: str, data, **kw):
    return signed_post(client, path, json.dumps(data).encode(), **kw)
