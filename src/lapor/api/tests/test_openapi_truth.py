"""Issue 16: the schema tells the truth. Every operation documents the error answers it can give,
in the project's error body; operations open to guests say credentials are optional."""

from openapi_spec_validator import validate

ERRORS = ("400", "403", "404", "409", "413", "414", "422", "429", "431", "503")


def _operations(schema):
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_every_operation_documents_every_error_status_with_the_error_body(client, db):
    schema = client.get("/api/openapi.json").json()
    validate(schema)
    error_body = schema["components"]["schemas"]["ErrorOut"]
    assert set(error_body["required"]) == {"code", "message"}
    for path, method, op in _operations(schema):
        missing = [s for s in ERRORS if s not in op["responses"]]
        assert not missing, (method, path, missing)
        if op.get("security"):
            assert "401" in op["responses"], (method, path)
        if method in ("post", "put", "patch", "delete"):  # a body without Content-Length: 411
            assert "411" in op["responses"], (method, path)
        else:
            assert "411" not in op["responses"], (method, path)
        ref = op["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorOut")


def test_guest_operations_declare_optional_security(client, db):
    schema = client.get("/api/openapi.json").json()
    ops = {(m, p): op for p, m, op in _operations(schema)}
    for key in (
        ("post", "/api/reports"),
        ("get", "/api/reports/{tracking_id}"),
        ("get", "/api/reports/{tracking_id}/timeline"),
    ):
        assert {} in ops[key]["security"], key
    # and a guest really is let through there
    res = client.post(
        "/api/reports",
        {"title": "Lampu jalan mati", "body": "Sudah dua minggu mati.", "guest_email": "a@example.com"},
        content_type="application/json",
    )
    assert res.status_code == 201
    # staff-only operations do not say so
    assert {} not in ops[("get", "/api/reports")]["security"]


def test_the_411_the_schema_documents_is_what_a_chunked_body_gets(client, db):
    res = client.generic(
        "POST",
        "/api/calendar/days",
        b"",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    assert res.status_code == 411 and res.json()["code"] == "length_required"


def test_the_414_and_431_the_schema_documents_are_what_a_client_gets(client, db):
    res = client.get("/api/topics", {"q": "x" * 8100}, HTTP_ACCEPT_LANGUAGE="en")
    assert res.status_code == 414 and res.json()["code"] == "uri_too_long"
    assert res.json()["detail"] == {"max_bytes": 8000} and res.json()["message"].startswith("The request address")
    res = client.get("/api/topics", HTTP_COOKIE="a=" + "b" * 9000)
    assert res.status_code == 431 and res.json()["code"] == "header_too_large"
    assert res.json()["detail"] == {"max_bytes": 8190}
    assert client.get("/api/topics", {"q": "x" * 7000}, HTTP_X_NOTE="y" * 8000).status_code == 200
