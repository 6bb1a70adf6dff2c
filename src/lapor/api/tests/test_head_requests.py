"""Issue 16: HEAD on an API GET endpoint answered 405. A server that takes GET takes HEAD: the same
status and headers, no body. A method a path really does not take is still 405, Allow with HEAD."""


def test_head_on_an_api_get_is_the_get_without_a_body(net, client):
    get = client.get("/api/topics")
    head = client.head("/api/topics")
    assert get.status_code == head.status_code == 200 and head.content == b"" and get.content
    assert head["Content-Type"] == get["Content-Type"]


def test_head_on_an_api_get_that_refuses_refuses_the_same(net, client):
    assert client.get("/api/me").status_code == client.head("/api/me").status_code == 401
    assert client.head("/api/agencies/999999").status_code == 404


def test_head_where_no_get_is_taken_is_405_in_the_json_shape(net, client):
    res = client.head("/api/accounts")  # POST only
    assert res.status_code == 405 and res["Allow"] == "POST" and res.content == b""
    res = client.put("/api/topics")
    assert res.status_code == 405 and res["Allow"] == "GET, HEAD"
    assert res.json()["code"] == "method_not_allowed"
