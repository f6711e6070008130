"""The viewer and the blind study, driven in headless Chromium against the real `binsr serve`.

What a person would do: open the page, upscale a bundled sample and an uploaded image and see three results side by
side with shared zoom; vote on a few blind pairs; watch the results page count the votes. A screenshot of the viewer
goes to docs/screenshot-viewer.png.
"""

import json
import os
import urllib.error
import urllib.request

import pytest
from conftest import REPO

TIMEOUT = float(os.environ.get("BINSR_VIEWER_TIMEOUT", "300"))
MODELS = ("bicubic", "real", "binary")


def wait(driver, script, timeout=TIMEOUT, message=""):
    """Polls a JavaScript expression until it is truthy; returns its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        lambda d: d.execute_script("return " + script), message or script)


def panel_states(driver):
    return driver.execute_script("""
        return [...document.querySelectorAll('.panel[data-model]')].map(p => {
            const img = p.querySelector('.viewport img');
            return {model: p.dataset.model, done: p.dataset.done === 'true',
                    width: img ? img.naturalWidth : 0, height: img ? img.naturalHeight : 0,
                    transform: img ? img.style.transform : '', stats: p.querySelector('.stats').textContent};
        });""")


def upscale_and_wait(driver, arch, scale):
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "arch")).select_by_value(arch)
    Select(driver.find_element("id", "scale")).select_by_value(str(scale))
    driver.execute_script("document.querySelectorAll('.panel').forEach(p => delete p.dataset.done)")
    driver.find_element("id", "run").click()
    # The page sends the three requests one after another and re-enables the button when all have answered.
    wait(driver, "document.getElementById('status').textContent.startsWith('Done')")
    states = panel_states(driver)
    failed = [f"{s['model']}: {s['stats']}" for s in states if not s["done"]]
    assert not failed, f"results missing: {failed}"
    return states


def test_viewer_shows_three_results_with_shared_zoom(server, models, browser, tmp_path):
    from PIL import Image

    browser.get(server["base"] + "/")
    wait(browser, "document.querySelectorAll('.samples button').length >= 4", 30, "bundled samples listed")

    # An uploaded image: a 40x30 gradient, upscaled by each of the three models at the smallest available scale.
    arch, scale = min(server["variants"], key=lambda v: (v[1], v[0] != "srresnet"))
    upload = tmp_path / "gradient.png"
    Image.frombytes("RGB", (40, 30), bytes((x * 6 + y * 3) % 256 for y in range(30) for x in range(40)
                                           for _ in range(3))).save(upload)
    browser.find_element("id", "file").send_keys(str(upload))
    states = upscale_and_wait(browser, arch, scale)
    assert [s["model"] for s in states] == list(MODELS)
    for state in states:
        assert (state["width"], state["height"]) == (40 * scale, 30 * scale), state
        assert "ms" in state["stats"], state["stats"]

    # A bundled 128x128 sample at the largest scale (SRResNet preferred); the screenshot shows this one.
    arch, scale = max(server["variants"], key=lambda v: (v[1], v[0] == "srresnet"))
    browser.find_element("css selector", ".samples button[data-sample='astronaut']").click()
    wait(browser, "!document.getElementById('run').disabled", 30)
    states = upscale_and_wait(browser, arch, scale)
    for state in states:
        assert (state["width"], state["height"]) == (128 * scale, 128 * scale), state

    # The screenshot of docs/viewer.md: the whole sample, fitted, in the three panels.
    browser.save_screenshot(str(REPO / "docs" / "screenshot-viewer.png"))

    # Zoom with the wheel over the first panel: all three images get the same, new transform.
    before = states[0]["transform"]
    browser.execute_script("""
        const v = document.querySelector('.viewport');
        const r = v.getBoundingClientRect();
        v.dispatchEvent(new WheelEvent('wheel', {deltaY: -300, clientX: r.left + r.width * 0.45,
                                                  clientY: r.top + r.height * 0.35, bubbles: true, cancelable: true}));
    """)
    transforms = [s["transform"] for s in panel_states(browser)]
    assert transforms[0] != before
    assert len(set(transforms)) == 1, transforms

    # The swipe view stacks the real and the binary result under the same transform.
    browser.find_element("id", "swipe-on").click()
    swipe = browser.execute_script("""
        return [...document.querySelectorAll('#swipe .viewport img')].map(i => [i.alt, i.style.transform]);""")
    assert [alt for alt, _ in swipe] == ["real-weight result", "binary result"]
    assert all(transform == transforms[0] for _, transform in swipe), swipe
    browser.find_element("id", "swipe-on").click()



def post_vote(server, pair_id, choice, cookie=None):
    request = urllib.request.Request(server["base"] + "/study/vote", method="POST",
                                     data=json.dumps({"pair_id": pair_id, "choice": choice}).encode(),
                                     headers={"Content-Type": "application/json"})
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def results(server):
    with urllib.request.urlopen(server["base"] + "/study/results.json", timeout=10) as response:
        return json.load(response)


def jobs_done(server):
    """binsr_jobs_total{outcome="done"} from /metrics (0 before the first job)."""
    with urllib.request.urlopen(server["base"] + "/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith('binsr_jobs_total{outcome="done"}'):
                return int(float(line.split()[-1]))
    return 0


def test_large_uploads_run_as_jobs_with_a_progress_bar(server, models, browser, tmp_path):
    """Above the page's threshold (lowered here from 1 MP to 1000 pixels with ?jobsAbovePixels) the two networks run
    as asynchronous jobs: their panels show a progress bar while the job runs, and the results are the same as ever."""
    from PIL import Image
    from selenium.webdriver.support.ui import Select

    arch, scale = min(server["variants"], key=lambda v: (v[1], v[0] != "srresnet"))
    before = jobs_done(server)
    browser.get(server["base"] + "/?jobsAbovePixels=1000")
    upload = tmp_path / "large.png"
    width, height = 320, 240
    Image.frombytes("RGB", (width, height), bytes((x * 3 + y * 5 + c * 40) % 256 for y in range(height)
                                                  for x in range(width) for c in range(3))).save(upload)
    browser.find_element("id", "file").send_keys(str(upload))
    Select(browser.find_element("id", "arch")).select_by_value(arch)
    Select(browser.find_element("id", "scale")).select_by_value(str(scale))
    browser.find_element("id", "run").click()
    wait(browser, "document.querySelector('.panel .job-progress progress') !== null", 120, "a job's progress bar")
    wait(browser, "document.getElementById('status').textContent.startsWith('Done')")
    states = panel_states(browser)
    failed = [f"{s['model']}: {s['stats']}" for s in states if not s["done"]]
    assert not failed, f"results missing: {failed}"
    for state in states:
        assert (state["width"], state["height"]) == (width * scale, height * scale), state
    via = browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('.panel[data-model]')]"
        ".map(p => [p.dataset.model, p.dataset.via || 'direct']))")
    assert via == {"bicubic": "direct", "real": "job", "binary": "job"}
    assert jobs_done(server) - before == 2


def test_blind_study_votes_reach_the_results_page(server, models, browser):
    votes_before = results(server)["total_votes"]
    browser.get(server["base"] + "/study")
    voted = []
    for choice in ("left", "same", "right"):
        wait(browser, "!document.getElementById('vote-left').disabled", message="a pair is shown")
        pair_id = browser.execute_script("return document.body.dataset.pairId")
        labels = browser.execute_script(
            "return [...document.querySelectorAll('.pair img')].map(i => [i.naturalWidth, i.alt])")
        assert all(width > 0 for width, _ in labels), labels
        # Blind: nothing on the page names the model of either side.
        page = browser.find_element("css selector", ".pair").text.lower()
        assert "real" not in page and "binary" not in page
        browser.find_element("id", f"vote-{choice}").click()
        wait(browser, f"document.body.dataset.pairId !== '{pair_id}' || "
                      f"document.getElementById('count').textContent === '{len(voted) + 1}'")
        voted.append(pair_id)
    wait(browser, "document.getElementById('count').textContent === '3'", 30)
    assert len(set(voted)) == 3

    # The ballot cannot be stuffed from a script: a pair needs its session cookie and takes one vote.
    cookie = {c["name"]: c["value"] for c in browser.get_cookies()}.get("binsr_study")
    assert cookie, "the study sets its session cookie"
    assert post_vote(server, voted[0], "left") == 403
    assert post_vote(server, voted[0], "left", f"binsr_study={cookie}") == 409
    assert post_vote(server, "0" * 32, "left", f"binsr_study={cookie}") == 404

    browser.get(server["base"] + "/study/results")
    wait(browser, f"document.getElementById('updated').textContent.includes('Total votes: {votes_before + 3}')", 30)
    report = results(server)
    assert report["total_votes"] == votes_before + 3
    rows = browser.execute_script(
        "return [...document.querySelectorAll('#results tbody tr')].map(r => Number(r.querySelector('.votes')"
        ".textContent))")
    assert sum(rows) == votes_before + 3
    for row in report["results"]:
        for key in ("real", "binary", "same"):
            estimate = row[key]
            assert 0 <= estimate["lower"] <= estimate["share"] <= estimate["upper"] <= 1


def test_viewer_and_study_work_with_api_keys_on(browser, tmp_path):
    """Keys on: the viewer asks for a key, keeps it in the tab (not in a cookie or localStorage) and upscales with
    it; the study needs no key and counts the vote."""
    from conftest import running_server

    key = "viewer-test-key-0123456789abcdef"
    with running_server(tmp_path, BINSR_AUTH_API_KEYS=key, BINSR_STUDY_MIN_VIEW_SECONDS="0.5") as server:
        if not server["variants"]:
            pytest.skip("binsr serve lists no architecture/scale with both a real and a binary model")
        browser.get(server["base"] + "/")
        wait(browser, "!document.getElementById('apikey').hidden", 30, "the page asks for a key after a 401")
        browser.find_element("id", "apikey-input").send_keys(key)
        browser.find_element("id", "apikey-save").click()
        wait(browser, "document.getElementById('apikey').hidden", 10, "the key is taken")
        wait(browser, "document.querySelectorAll('.samples button').length >= 4", 30, "bundled samples listed")
        browser.find_element("css selector", ".samples button[data-sample='coffee']").click()
        wait(browser, "!document.getElementById('run').disabled", 30)
        arch, scale = min(server["variants"], key=lambda v: (v[1], v[0] != "srresnet"))
        states = upscale_and_wait(browser, arch, scale)
        assert all((s["width"], s["height"]) == (128 * scale, 128 * scale) for s in states), states
        stored = browser.execute_script(
            "return [document.cookie, JSON.stringify(localStorage), sessionStorage.getItem('binsr-api-key')]")
        assert key not in stored[0] and key not in stored[1] and stored[2] == key

        browser.get(server["base"] + "/study")
        wait(browser, "!document.getElementById('vote-left').disabled", message="a pair is shown without a key")
        browser.find_element("id", "vote-left").click()
        wait(browser, "document.getElementById('count').textContent === '1'", 30)
        assert results(server)["total_votes"] == 1
