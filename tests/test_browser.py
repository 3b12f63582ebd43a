"""The Studio in a real browser: `storykit studio` (Voilà) driven in headless Chromium through selenium.

The command a workshop runs, in its own process: it prints the address, Chromium opens it, and
Plan → Render all → open scene 3 → edit its prompt (and take the caption it offers) → Render this
scene → Export; then the page (no horizontal scrollbar at 800 px, no error), the exported files,
the MP4 in Chromium's own player, and Ctrl-C, which stops the server cleanly (nothing listens after).

Needs Chromium and its driver: `sudo apt-get install chromium chromium-driver` (Debian/Ubuntu; .ci/run
installs them). STORYKIT_SCREENSHOT=docs/studio.png also saves the screenshot there.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from storykit.testing import sigint_as_in_a_terminal

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
INSTALL = ("no Chromium here: install it with `sudo apt-get install chromium chromium-driver` (Debian/Ubuntu; "
           ".ci/run does) and `pip install -e '.[notebook,dev]'` for voila and selenium")

pytestmark = pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()), reason=INSTALL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def page(tmp_path, monkeypatch):
    """(Chromium on the page, the `storykit studio` process, its port): the server as a user starts it."""
    pytest.importorskip("selenium", reason=INSTALL)
    pytest.importorskip("voila", reason=INSTALL)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("STORYKIT_CACHE", str(tmp_path / "cache"))  # a fresh cache: every scene really renders
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    size = 256 if os.environ.get("STORYKIT_SCREENSHOT") else 128  # a sharper picture for the docs
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "storykit", "studio", "--port", str(port), "--backend", "animatic",
                               "--output-dir", str(tmp_path / "out"), "--size", str(size)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=sigint_as_in_a_terminal)
    driver = None
    try:
        line = server.stdout.readline()  # printed once the page answers
        url = f"http://127.0.0.1:{port}/"
        assert url in line and "Ctrl-C" in line, (line, server.stderr.read() if server.poll() is not None else "")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        # A laptop-sized window: Chromium paints only what is in view (1900 px tall cost 1.5-3 s more CPU);
        # the screenshot below sizes the window to the whole app first.
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1100,900"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.get(url)
        yield driver, server, port
    finally:
        if driver is not None:
            driver.quit()
        if server.poll() is None:  # the test failed before its Ctrl-C: storykit's own stop takes Voilà with it
            server.send_signal(signal.SIGINT)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_text(driver, text, timeout=240):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(driver, timeout, poll_frequency=0.25).until(lambda d: text in d.find_element("tag name", "body").text)
    except TimeoutException:
        status = [line for line in driver.find_element("tag name", "body").text.splitlines() if line.strip()][:60]
        pytest.fail(f"the page never showed {text!r}; it shows: " + " | ".join(status))


def _button(driver, label, starts=False):
    """The visible button labelled `label`, once it is enabled (buttons are off while work runs)."""
    from selenium.webdriver.support.ui import WebDriverWait

    test = f"starts-with(normalize-space(.), '{label}')" if starts else f"normalize-space(.)='{label}'"

    def ready(d):
        found = [b for b in d.find_elements("xpath", f"//button[{test}]") if b.is_displayed()]
        return found[0] if found and found[0].is_enabled() else None

    return WebDriverWait(driver, 120, poll_frequency=0.25).until(ready, message=f"no enabled button {label!r}")


def _visible_textareas(driver):
    return [t for t in driver.find_elements("css selector", "textarea") if t.is_displayed()]


def test_storykit_studio_plans_renders_edits_and_exports_in_chromium_and_ctrl_c_stops_it(page, tmp_path):
    import json

    import mediapy

    from storykit.stitch.ffmpeg import ensure_ffmpeg

    ensure_ffmpeg()  # mediapy reads the video with the ffmpeg storykit found
    driver, server, port = page
    _wait_text(driver, "storykit studio", timeout=180)
    assert "studio_from_environment" not in driver.page_source  # no code cells on the page
    _button(driver, "Plan").click()
    _wait_text(driver, "Planned 5 scenes")
    _button(driver, "Render all").click()
    _wait_text(driver, "Rendered 5 of 5 scenes")

    _button(driver, "3 · ", starts=True).click()  # scene 3's thumbnail opens its editor
    _wait_text(driver, "Scene 3 ·")
    prompt, caption = _visible_textareas(driver)[:2]
    assert "searches for a lost lantern" in caption.get_attribute("value")
    prompt_text = prompt.get_attribute("value").replace("a lost lantern", "a red balloon")
    prompt.clear()
    prompt.send_keys(prompt_text)
    _wait_text(driver, "The caption still says")  # the editor offers to carry the edit into the caption
    _button(driver, "Update caption").click()
    _button(driver, "Render this scene").click()
    _wait_text(driver, "Scene 3: rendered")
    _button(driver, "Export").click()
    _wait_text(driver, "Exported: ")

    body = driver.find_element("tag name", "body").text
    assert "⚠" not in body and "Traceback" not in body
    assert len(driver.find_elements("css selector", "video")) >= 2  # the story player and scene 2's preview
    # The player (the export's own segments, joined) plays in Chromium, and its box is taller than the
    # picture, the picture at the top: the controls draw over that band, not over the captions.
    driver.set_script_timeout(30)
    player = driver.execute_async_script("""const done = arguments[arguments.length - 1];
        const v = [...document.querySelectorAll('video')].find(e => e.style.objectPosition);
        if (!v) { done({error: 'no player'}); return; }
        const report = () => { const r = v.getBoundingClientRect();
            done({error: v.error && v.error.code, width: v.videoWidth, box: r.height,
                  picture: r.width * v.videoHeight / v.videoWidth}); };
        if (v.readyState >= 1) report(); else { v.addEventListener('loadedmetadata', report, {once: true});
                                                 v.addEventListener('error', report, {once: true}); }""")
    assert player.get("error") is None and player["width"] in (128, 256), player
    assert player["box"] > player["picture"] * 1.12, player
    driver.find_element("xpath", "//*[normalize-space(text())='Log (newest first)']").click()  # open the log
    _wait_text(driver, "Planned 5 scenes", timeout=10)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1100, height + 16)  # the whole app, no empty page below it
    driver.save_screenshot(str(tmp_path / "studio.png"))
    if os.environ.get("STORYKIT_SCREENSHOT"):
        shutil.copy(tmp_path / "studio.png", os.environ["STORYKIT_SCREENSHOT"])
    # Colab's narrow width: no horizontal scrollbar.
    driver.set_window_size(800, 2400)
    _wait_text(driver, "Exported: ", timeout=10)
    assert driver.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    # ... nor one inside the app, and nothing cut off at the right edge.
    inner = driver.execute_script("""return [...document.querySelectorAll('div')].filter(e =>
        ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1
        && e.offsetParent !== null).map(e => e.className)""")
    assert not inner, f"horizontal scrollbars inside the app: {inner}"
    cut = driver.execute_script("""const w = document.documentElement.clientWidth;
        return [...document.querySelectorAll('input, textarea, button, select, video, .widget-accordion')].filter(e =>
        e.offsetParent !== null && e.getBoundingClientRect().right > w + 0.5).map(e => e.outerHTML.slice(0, 80))""")
    assert not cut, f"cut off at the right edge at 800 px: {cut}"
    driver.save_screenshot(str(tmp_path / "studio-800.png"))

    out = tmp_path / "out"
    video = mediapy.read_video(str(out / "story.mp4"))
    manifest = json.loads((out / "story.manifest.json").read_text())
    assert len(video) == manifest["story"]["num_frames"] and video.shape[1] == video.shape[2] in (128, 256)
    assert manifest["script"]["scenes"][2]["prompt"] == prompt_text
    srt = (out / "story.srt").read_text()
    assert "searches for a red balloon" in srt and srt.count("lost lantern") == 1  # scene 3's caption, not scene 4's
    assert (out / "story.gif").exists()

    # The joined MP4 (scene 3 and its transitions encoded again, the other segments reused) plays and seeks
    # in Chromium's own player: no media error, the manifest's duration, frames decoded, a seek near the end.
    driver.set_script_timeout(30)
    driver.get((out / "story.mp4").as_uri())
    played = driver.execute_async_script("""const done = arguments[arguments.length - 1];
        const v = document.querySelector('video');
        if (!v) { done({error: 'no video element'}); return; }
        v.muted = true;
        const report = (extra) => done(Object.assign({error: v.error && v.error.code, duration: v.duration,
            width: v.videoWidth, decoded: v.webkitDecodedFrameCount}, extra));
        const seek = () => { v.pause(); v.addEventListener('seeked', () => report({seeked: v.currentTime}), {once: true});
                             v.currentTime = v.duration - 0.3; };
        v.addEventListener('error', () => report({}));
        const wait = () => (v.currentTime > 0.4 ? seek() : setTimeout(wait, 50));
        v.play().then(wait, (e) => report({play: String(e)}));""")
    assert played.get("error") is None and "play" not in played, played
    assert played["duration"] == pytest.approx(manifest["story"]["duration_s"], abs=0.05)
    assert played["width"] == video.shape[2] and played["decoded"] > 5
    assert played["seeked"] == pytest.approx(played["duration"] - 0.3, abs=0.05)

    # Ctrl-C in the terminal: storykit stops Voilà (and its kernel) in order, says so, and frees the port.
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=60)
    assert server.returncode == 0 and "stopped" in out and "Traceback" not in err, (out, err)
    with pytest.raises(OSError):  # nothing listens any more: Voilà went with it
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
