"""The optional LLM writer: schema validation, storykit's rules on the answer, and a clean fallback.

Nothing here contacts a hub or a server the test did not start on 127.0.0.1.
"""

import http.server
import re
import json
import threading
import time

import pytest

from storykit import InvalidInput, Script, plan
from storykit.cli import main
from storykit.plan import llm
from storykit.plan.captions import reading_seconds
from storykit.plan.tokens import count_tokens

FOX = ("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")


def _answer(n=5, **changes):
    """A well-formed answer for an n-scene FOX script; `changes` edit scene 0 (None deletes a key)."""
    beats = [s.beat for s in plan(*FOX, num_scenes=n).scenes]
    scenes = [
        {"beat": b, "caption": f"The fox does thing {i}.", "prompt": f"{FOX[1]}, scene {i} of the search, lantern light",
         "camera": "pan_left", "duration": 2.0}
        for i, b in enumerate(beats)
    ]
    for k, v in changes.items():
        if v is None:
            del scenes[0][k]
        else:
            scenes[0][k] = v
    return {"title": "The Lantern", "scenes": scenes}


# -- parsing and validation (canned outputs) ------------------------------------------------


def test_valid_answers_parse_with_fences_and_chatter():
    text = json.dumps(_answer(), ensure_ascii=False)
    assert llm.parse_script_json(text, 5)["title"] == "The Lantern"
    assert llm.parse_script_json(f"```json\n{text}\n```", 5)["scenes"][0]["camera"] == "pan_left"
    assert len(llm.parse_script_json(f"Here is your script:\n{text}\nEnjoy!", 5)["scenes"]) == 5


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "no text"),
        ("Once upon a time there was a fox.", "not JSON"),
        (json.dumps(_answer())[:-40], "not valid JSON.*truncated"),
        (json.dumps(_answer(duration="two seconds")), r"scenes\[0\].duration"),
        (json.dumps(_answer(camera="dolly_zoom")), r"scenes\[0\].camera"),
        (json.dumps(_answer(caption=None)), "caption"),
        (json.dumps(_answer(caption="")), r"scenes\[0\].caption"),
        (json.dumps(_answer(mood="sad")), "mood"),
        (json.dumps(_answer(beat="montage")), r"scenes\[0\].beat"),
        (json.dumps({"title": "x", "scenes": _answer()["scenes"][:4]}), "scenes"),
        (json.dumps([1, 2, 3]), "not JSON|schema"),
        (json.dumps({"title": 3, "scenes": _answer()["scenes"]}), "title"),
    ],
    ids=["empty", "prose", "truncated", "wrong-type", "bad-camera", "missing", "empty-caption", "extra-key",
         "bad-beat", "too-few", "array", "title-type"],
)
def test_invalid_answers_say_what_is_wrong(text, match):
    with pytest.raises(llm.LLMWriterError, match=match):
        llm.parse_script_json(text, 5)


def test_storykit_rules_are_enforced_on_a_valid_answer():
    template = plan(*FOX)
    data = _answer()
    data["scenes"][1]["prompt"] = "a fox walking"  # no descriptor: it is put first
    data["scenes"][2]["prompt"] = FOX[1] + ", " + "a very long and winding description of the forest " * 8
    data["scenes"][3]["caption"] = "The fox runs and runs through the bamboo toward it."
    data["scenes"][3]["duration"] = 1.0  # too short to read: lengthened
    script = llm.apply_llm_scenes(template, data)
    assert script.writer == "llm" and script.title == "The Lantern"
    for s, t in zip(script.scenes, template.scenes):
        assert s.prompt.startswith(FOX[1] + ", ")
        assert count_tokens(s.prompt) <= 75
        assert reading_seconds(s.text) <= s.duration
        assert (s.seed, s.transition, s.negative_prompt) == (t.seed, t.transition, t.negative_prompt)
    assert script.scenes[1].prompt.startswith(f"{FOX[1]}, a fox walking")
    assert any("77 tokens" in n for n in script.notes)
    assert script.scenes[3].num_frames == 28  # 10 words at 3 words/s, in half seconds: 3.5 s
    data["scenes"][3]["caption"] = "The fox runs and runs and runs and runs through the tall bamboo toward the light."
    assert "needs more than its 4 s" in " ".join(llm.apply_llm_scenes(template, data).notes)  # 32 frames at most
    assert Script.from_json(script.to_json()) == script  # the writer survives the JSON round trip
    fixed = llm.apply_llm_scenes(plan(*FOX, num_frames=12), _answer(), num_frames=12)
    assert [s.num_frames for s in fixed.scenes] == [12] * 5


def test_identical_prompts_are_refused():
    data = _answer()
    for s in data["scenes"]:
        s["prompt"] = FOX[1]
    with pytest.raises(llm.LLMWriterError, match="same prompt"):
        llm.apply_llm_scenes(plan(*FOX), data)


# -- a server the test runs on 127.0.0.1 --------------------------------------------------------


class _Server:
    """An OpenAI-compatible /v1/chat/completions endpoint whose replies the test sets."""

    def __init__(self):
        self.requests, self.replies, self.delay = [], [], 0.0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append((self.path, body))
                time.sleep(outer.delay)
                status, content = outer.replies.pop(0) if outer.replies else (200, "")
                payload = content if isinstance(content, bytes) else json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()  # shutdown() waits up to one poll


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def test_server_writes_the_script(server, capsys):
    server.replies.append((200, json.dumps(_answer())))
    script = plan(*FOX, writer="llm", model="qwen2.5:1.5b", base_url=server.url, seed=7)
    assert script.writer == "llm" and [s.text for s in script.scenes][0] == "The fox does thing 0."
    assert script.metadata["llm"]["model"] == "qwen2.5:1.5b" and script.metadata["llm"]["base_url"] == server.url
    path, body = server.requests[0]
    assert path == "/v1/chat/completions"
    assert body["model"] == "qwen2.5:1.5b" and body["seed"] == 7  # seeded sampling where the server supports it
    assert body["response_format"]["json_schema"]["schema"] == llm.script_schema(5)
    assert FOX[1] in body["messages"][-1]["content"]
    assert capsys.readouterr().err == ""


def test_server_without_structured_output_is_asked_again(server):
    server.replies += [(400, b'{"error": "response_format not supported"}'), (200, json.dumps(_answer()))]
    script = plan(*FOX, writer="llm", base_url=server.url)
    assert script.writer == "llm"
    assert "response_format" in server.requests[0][1] and "response_format" not in server.requests[1][1]


@pytest.mark.parametrize(
    "reply, match",
    [
        ((200, "Sure! Here is a lovely story about a fox."), "not JSON"),
        ((200, json.dumps(_answer())[:100]), "truncated"),
        ((200, json.dumps(_answer(camera="spin"))), "camera"),
        ((500, b"oops"), "HTTP 500"),
        ((200, b"<html>not json</html>"), "did not answer with JSON"),
        ((200, b'{"id": 1}'), "OpenAI chat completion"),
    ],
    ids=["prose", "truncated", "schema", "http-500", "html", "not-completion"],
)
def test_server_failures_fall_back_with_one_line(server, capsys, reply, match):
    server.replies.append(reply)
    script = plan(*FOX, writer="llm", base_url=server.url)
    assert script.writer == "template" and [s.text for s in script.scenes] == [s.text for s in plan(*FOX).scenes]
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("storykit: LLM writer not used")
    assert any(re.search(match, n) for n in script.notes), script.notes
    assert re.search(match, script.metadata["llm"]["fallback"])


def test_server_timeout_and_no_server_fall_back(server, capsys):
    server.delay = 2.0
    script = plan(*FOX, writer="llm", base_url=server.url, llm_timeout=0.3)
    assert script.writer == "template" and "timed out" in script.notes[-1]
    server.httpd.shutdown()
    server.httpd.server_close()
    script = plan(*FOX, writer="llm", base_url=server.url)
    assert script.writer == "template" and "cannot reach" in script.notes[-1]
    assert len(capsys.readouterr().err.strip().splitlines()) == 2


def test_bad_base_url_is_refused_before_planning():
    with pytest.raises(InvalidInput, match="http://"):
        plan(*FOX, writer="llm", base_url="ftp://example")
    with pytest.raises(InvalidInput, match="unknown writer"):
        plan(*FOX, writer="gpt")


def test_cli_plan_with_the_llm_writer(server, capsys, tmp_path):
    server.replies.append((200, json.dumps(_answer())))
    out = tmp_path / "s.json"
    argv = ["plan", "--setting", FOX[0], "--character", FOX[1], "--action", FOX[2], "--writer", "llm",
            "--llm-model", "local-model", "--llm-base-url", server.url, "-o", str(out)]
    assert main(argv) == 0
    assert "llm writer" in capsys.readouterr().out and Script.load(out).writer == "llm"
    assert main(argv[:-2] + ["--llm-base-url", "file:///etc"]) == 2
    assert "http://" in capsys.readouterr().err


# -- local models ------------------------------------------------------------------------------


def test_hub_id_not_on_this_machine_falls_back_without_contacting_the_hub(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    import storykit.errors

    def no_import(*args):
        raise AssertionError("torch and transformers were imported for a model that is not here")

    monkeypatch.setattr(storykit.errors, "require", no_import)  # the fallback comes first, at once
    for download in (False, True):  # HF_HUB_OFFLINE=1 (conftest) also stops download=True
        script = plan(*FOX, writer="llm", model=llm.DEFAULT_LLM_MODEL, download=download)
        assert script.writer == "template" and "hub is not contacted" in script.notes[-1]
    script = plan(*FOX, writer="llm", model=str(tmp_path))  # a folder that is not a model
    assert script.writer == "template" and "config.json" in script.notes[-1]
    assert len(capsys.readouterr().err.strip().splitlines()) == 3


def test_tiny_random_model_gives_garbage_and_the_template_is_kept(tmp_path, capsys):
    pytest.importorskip("torch")
    from storykit.testing import build_tiny_llm

    folder = build_tiny_llm(tmp_path / "tiny-llm")
    script = plan(*FOX, num_scenes=3, writer="llm", model=str(folder), seed=1)
    assert script.writer == "template"
    assert [s.text for s in script.scenes] == [s.text for s in plan(*FOX, num_scenes=3, seed=1).scenes]
    reason = script.metadata["llm"]["fallback"]
    assert "JSON" in reason or "schema" in reason  # random weights cannot write the schema
    assert capsys.readouterr().err.count("storykit: LLM writer not used") == 1
    again = plan(*FOX, num_scenes=3, writer="llm", model=str(folder), seed=1)
    assert again.metadata["llm"]["fallback"] == reason  # seeded sampling: the same answer again
    llm.unload()
