"""What nginx refuses itself reaches the client in the API's own format, as an instance says it.

nginx answers a request it cannot parse (a path holding ``%00``) before any instance sees it.
``docs/deploy.md``'s configuration gives those answers the bodies the instances give a bad
request; this test holds the two together, so a change to an API's error format fails here
instead of leaving the balancer answering in an old one.
"""

from __future__ import annotations

import httpx
import pytest

from mockserver._mount import ApiMount
from mockserver._state import EXTENSION
from mockserver.admin import MOUNT as ADMIN
from mockserver.tealium import MOUNT as TEALIUM
from mockserver.tealium import create_app as tealium_app
from mockserver.thalamus import MOUNT as THALAMUS
from mockserver.thalamus import create_app as thalamus_app
from tests.multihost.cluster import Cluster

#: A path of each API's that nginx cannot parse, and the API that owns it.
REFUSED = [
    ("/api/v4/import/status/2%0074", THALAMUS),
    ("/v1/omnichannel/accounts/acme/profiles/main/files/a%00b.csv", TEALIUM),
    ("/v2/omnichannel/accounts/acme/profiles/main/files/a%00b.csv", TEALIUM),
    ("/__admin/v1/imports/2%0074", ADMIN),
]


def instance_answer(mount: ApiMount) -> bytes:
    """The body an instance gives a bad request on ``mount``'s paths."""
    app = (thalamus_app if mount is THALAMUS else tealium_app)()
    reply = mount.http_error(app.extensions[EXTENSION], 400, "Bad Request")
    return bytes(reply.response().get_data())


@pytest.mark.parametrize(("path", "mount"), REFUSED, ids=[m.name for _, m in REFUSED])
def test_a_request_nginx_cannot_parse_gets_the_apis_own_400(
    shared: Cluster, path: str, mount: ApiMount
) -> None:
    response = httpx.get(shared.url + path, timeout=10)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.content == instance_answer(mount)
