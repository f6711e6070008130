"""The study's HTTP API without a browser: every bad request gets its problem response, nothing leaks the model."""

import json
import signal
import time
import urllib.error
import urllib.request

import pytest
from conftest import running_server


def call(server, path, method="GET", body=None, headers=None):
    request = urllib.request.Request(server["base"] + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture()
def session(server, models):
    """A fresh study session: its cookie and its first pair."""
    status, headers, body = call(server, "/study/next")
    assert status == 200, body
    cookie = headers["Set-Cookie"].split(";")[0]
    attributes = {a.strip().lower() for a in headers["Set-Cookie"].split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/study"} <= attributes
    return cookie, json.loads(body)


def vote(server, cookie, payload, content_type="application/json"):
    return call(server, "/study/vote", "POST", json.dumps(payload).encode(),
                {"Content-Type": content_type, "Cookie": cookie})


def test_next_returns_the_open_pair_until_it_is_voted(server, session):
    cookie, pair = session
    assert set(pair) == {"pair_id", "left_url", "right_url", "arch", "scale", "min_view_seconds"}
    assert (pair["arch"], pair["scale"]) in [tuple(v) for v in server["variants"]]
    status, headers, again = call(server, "/study/next", headers={"Cookie": cookie})
    assert status == 200 and "Set-Cookie" not in headers
    assert json.loads(again)["pair_id"] == pair["pair_id"]
    assert vote(server, cookie, {"pair_id": pair["pair_id"], "choice": "same"})[0] == 200
    status, _, following = call(server, "/study/next", headers={"Cookie": cookie})
    assert json.loads(following)["pair_id"] != pair["pair_id"]


def test_images_are_anonymous_and_bound_to_the_session(server, session):
    cookie, pair = session
    left = call(server, pair["left_url"], headers={"Cookie": cookie})
    right = call(server, pair["right_url"], headers={"Cookie": cookie})
    for status, headers, body in (left, right):
        assert status == 200 and headers["Content-Type"] == "image/png" and body.startswith(b"\x89PNG")
        assert not any(name.lower() in ("x-model", "server-timing") for name in headers)
    assert left[2] != right[2], "the real and the binary result should differ"
    assert call(server, pair["left_url"])[0] == 403
    assert call(server, pair["left_url"], headers={"Cookie": "binsr_study=" + "1" * 32})[0] == 403
    assert call(server, f"/study/image?pair={pair['pair_id']}&side=middle", headers={"Cookie": cookie})[0] == 400


@pytest.mark.parametrize("payload, content_type, status", [
    ({"pair_id": "x", "choice": "left"}, "text/plain", 415),
    ({"pair_id": None, "choice": "left"}, "application/json", 400),
    ({"choice": "left"}, "application/json", 400),
    ("not an object", "application/json", 400),
    ({"pair_id": "0" * 32, "choice": "left"}, "application/json", 404),
    ({"pair_id": "'; DROP TABLE votes; --", "choice": "left"}, "application/json", 404),
])
def test_bad_votes_get_problem_responses(server, session, payload, content_type, status):
    cookie, _ = session
    got, headers, body = vote(server, cookie, payload, content_type)
    assert got == status, body
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["status"] == status


def test_bad_choice_is_rejected_and_the_pair_stays_open(server, session):
    cookie, pair = session
    assert vote(server, cookie, {"pair_id": pair["pair_id"], "choice": "real"})[0] == 400
    assert vote(server, cookie, {"pair_id": pair["pair_id"], "choice": "left"})[0] == 200


def test_without_model_pairs_the_study_says_why(server):
    if server["variants"]:
        pytest.skip("this server has model pairs")
    status, headers, body = call(server, "/study/next")
    assert status == 503 and headers["Content-Type"] == "application/problem+json"
    assert "real and a binary model" in json.loads(body)["detail"]


def test_static_files_are_a_fixed_list_with_security_headers(server):
    status, headers, body = call(server, "/")
    assert status == 200 and b"<title>binsr viewer</title>" in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert call(server, "/static/samples/SOURCES.md")[0] == 200
    for path in ("/static/../Package.swift", "/static/%2e%2e/Package.swift", "/static/samples/../../Package.swift",
                 "/static/", "/static/.hidden"):
        assert call(server, path)[0] == 404, path


def test_an_unusable_data_directory_is_a_503_with_the_reason_not_a_crash(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the data directory should be")
    with running_server(tmp_path, BINSR_STUDY_DATA_DIRECTORY=str(blocker / "study")) as broken:
        # The API and the viewer's pages still work; only the study says what is wrong.
        assert call(broken, "/")[0] == 200
        for path in ("/study/next", "/study/results.json"):
            status, _, body = call(broken, path)
            assert status == 503, body
            assert "not-a-directory" in json.loads(body)["detail"]


def test_a_server_that_nobody_votes_on_writes_no_database(tmp_path):
    with running_server(tmp_path) as idle:
        assert call(idle, "/")[0] == 200
        assert call(idle, "/static/viewer.js")[0] == 200
    assert not (tmp_path / "study-data").exists()


def vote_honestly(server, cookie=None):
    """A new pair, both images downloaded, the minimum viewing time waited, a vote: one counted vote."""
    status, headers, body = call(server, "/study/next", headers={"Cookie": cookie} if cookie else None)
    assert status == 200, body
    cookie = cookie or headers["Set-Cookie"].split(";")[0]
    pair = json.loads(body)
    for url in (pair["left_url"], pair["right_url"]):
        assert call(server, url, headers={"Cookie": cookie})[0] == 200
    time.sleep(pair["min_view_seconds"] + 0.1)
    assert vote(server, cookie, {"pair_id": pair["pair_id"], "choice": "right"})[0] == 200
    return cookie, pair


def test_votes_survive_kill_9_and_a_restart_of_the_service(tmp_path):
    data = tmp_path / "votes"
    settings = dict(BINSR_STUDY_DATA_DIRECTORY=str(data), BINSR_STUDY_MIN_VIEW_SECONDS="0.5")
    with running_server(tmp_path, **settings) as first:
        if not first["variants"]:
            pytest.skip("binsr serve lists no architecture/scale with both a real and a binary model")
        cookie, pair = vote_honestly(first)
        before = json.loads(call(first, "/study/results.json")[2])
        assert before["total_votes"] == 1 and before["excluded_votes"] == 0
        # No drain, no shutdown hook: the vote must already be on disk (WAL, synchronous=NORMAL).
        first["process"].send_signal(signal.SIGKILL)
        first["process"].wait(timeout=10)
    with running_server(tmp_path, **settings) as second:
        assert json.loads(call(second, "/study/results.json")[2]) == before
        # The pair is still known after the restart, and still takes no second vote.
        assert vote(second, cookie, {"pair_id": pair["pair_id"], "choice": "left"})[0] == 409
