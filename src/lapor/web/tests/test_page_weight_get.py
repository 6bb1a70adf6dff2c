"""The submit page stays light for slow networks: HTML + CSS + JS (+ icon) under 100 KB, no web fonts."""

import re

WEIGHT_LIMIT = 100 * 1024


def test_submit_page_first_load_is_under_100_kb(net, client):
    res = client.get("/lapor/")
    assert res.status_code == 200
    html = res.content
    total = len(html)
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    assert assets, "expected the stylesheet and the script"
    for url in assets:
        asset = client.get(url.decode())
        assert asset.status_code == 200, url
        total += sum(len(chunk) for chunk in asset.streaming_content) if asset.streaming else len(asset.content)
    assert not re.search(rb"@font-face|\.woff2?", html)
    print(f"submit page first load: {total} bytes uncompressed")
    assert total < WEIGHT_LIMIT, f"{total} bytes"
