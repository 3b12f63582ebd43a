"""The optional LLM writer: a language model expands the triple into the script (MovieFactory's first step).

MovieFactory (arXiv 2306.07257) has a language model turn a short idea into a
sequential, detailed script. Here a local instruction-tuned model (through
transformers) or an OpenAI-compatible server you run yourself (Ollama, vLLM,
llama.cpp's server) writes each scene's caption, prompt, camera and duration as
JSON; storykit validates that JSON against `script_schema` and enforces its own
rules on it (the character descriptor opens every prompt, CLIP's 77 tokens,
distinct prompts, readable captions). Anything that goes wrong keeps the template
script, with one line saying why:

>>> from storykit import plan
>>> s = plan("a forest", "a fox", "finds a key", writer="llm", model="/no/such/model")  # doctest: +SKIP
storykit: LLM writer not used (no model folder or cached hub id '/no/such/model' ...); kept the template script
>>> s.writer                                                                             # doctest: +SKIP
'template'

The default model, Qwen2.5-1.5B-Instruct (Apache-2.0, 1.5 B parameters), is
small enough for a T4 in fp16 (about 3.1 GB) and for a CPU in fp32 (about 6 GB
of RAM, a minute or two per script); its card claims structured (JSON) output
and 29+ languages, which matters for non-English triples. `Qwen/Qwen2.5-0.5B-Instruct`
is a faster, weaker choice. The hub is never contacted unless `download=True`.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..errors import InvalidInput
from .captions import frames_to_read
from .script import CAMERA_MOVES, Script, check_text

__all__ = [
    "DEFAULT_LLM_MODEL",
    "LLMWriterError",
    "script_schema",
    "writer_messages",
    "parse_script_json",
    "apply_llm_scenes",
    "generate_local",
    "generate_server",
    "write_with_llm",
    "unload",
]

DEFAULT_LLM_MODEL = "Qwen/Qwen2.5-1.5B-Instruct"
_BEAT_NAMES = ("establish", "introduce", "rising", "obstacle", "discovery", "climax", "resolution")
# Sampling as Qwen2.5's generation_config suggests for chat (temperature 0.7, top-p 0.8),
# seeded so the same story seed gives the same script where the backend allows.
TEMPERATURE, TOP_P = 0.7, 0.8


class LLMWriterError(Exception):
    """Why the LLM writer's script was not used (one line; the template script is kept)."""


# -- the contract --------------------------------------------------------------------------


def script_schema(num_scenes: int) -> dict:
    """The JSON schema the model must answer in: a title and exactly `num_scenes` scenes.

    Every property is required and no others are allowed, so servers with strict
    structured output (OpenAI-style `response_format` json_schema) accept it as is.
    """
    scene = {
        "type": "object",
        "properties": {
            "beat": {"type": "string", "enum": list(_BEAT_NAMES)},
            "caption": {"type": "string", "minLength": 1, "maxLength": 200},
            "prompt": {"type": "string", "minLength": 1, "maxLength": 600},
            "camera": {"type": "string", "enum": list(CAMERA_MOVES)},
            "duration": {"type": "number", "minimum": 0.5, "maximum": 8},
        },
        "required": ["beat", "caption", "prompt", "camera", "duration"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 120},
            "scenes": {"type": "array", "items": scene, "minItems": num_scenes, "maxItems": num_scenes},
        },
        "required": ["title", "scenes"],
        "additionalProperties": False,
    }


def writer_messages(script: Script) -> list[dict]:
    """The chat messages that ask for a script: the triple, the arc's beats and the rules."""
    t = script.triple
    beats = [s.beat for s in script.scenes]
    example = {"beat": beats[0], "caption": "One short sentence.", "prompt": f"{t.character}, ...", "camera": "pan_left",
               "duration": 2.0}
    system = (
        "You are a screenwriter for very short animated stories. You answer with one JSON object and nothing else."
    )
    user = (
        f"Write a {len(beats)}-scene story.\n"
        f"Setting: {t.setting}\nCharacter: {t.character}\nAction: {t.action}\n"
        f"Beats, in order: {', '.join(beats)}.\n"
        "Rules:\n"
        "- caption: one short sentence a viewer reads in the scene's time (about 3 words per second), in the "
        "language of the setting, character and action; the action must be stated by the middle scene, and the "
        "last scene resolves it.\n"
        f"- prompt: an English description of the picture for Stable Diffusion, under 60 words, that starts with "
        f"exactly \"{t.character}\" and says what happens in this scene; every scene's prompt is different.\n"
        f"- camera: one of {', '.join(CAMERA_MOVES)}.\n"
        "- duration: seconds on screen, 1.5 to 4.\n"
        f'Answer as {{"title": "...", "scenes": [{json.dumps(example, ensure_ascii=False)}, ...]}} '
        f"with exactly {len(beats)} scenes."
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def parse_script_json(text: str, num_scenes: int) -> dict:
    """The model's answer as a dict, validated against `script_schema`; LLMWriterError says what is wrong.

    Tolerates what chat models wrap around JSON (a ```json fence, a sentence before it).
    """
    if not isinstance(text, str) or not text.strip():
        raise LLMWriterError("the model returned no text")
    body = re.sub(r"^```(?:json)?\s*|\s*```\s*$", "", text.strip())
    start = body.find("{")
    if start < 0:
        raise LLMWriterError(f"the model's answer is not JSON (no '{{' in its {len(text)} characters)")
    try:
        data, _ = json.JSONDecoder().raw_decode(body[start:])
    except json.JSONDecodeError as e:
        raise LLMWriterError(f"the model's answer is not valid JSON ({e.msg} at character {start + e.pos}; truncated?)") from None
    _validate(data, script_schema(num_scenes))
    return data


def _validate(data, schema: dict) -> None:
    try:
        import jsonschema
    except ImportError:
        raise LLMWriterError("jsonschema is not installed (pip install 'storykit[llm]')") from None
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path) or "the answer"
        raise LLMWriterError(f"the model's JSON does not fit the schema: {where.lstrip('.')}: {error.message[:160]}")


def apply_llm_scenes(script: Script, data: dict, *, num_frames: int | None = None, tokenizer=None,
                     max_frames: int = 32) -> Script:
    """A new Script from the template `script` with the model's scenes, after storykit's own rules.

    Kept from the template: seeds, transitions, negative prompts, fps and style. Enforced:
    each prompt opens with the exact character descriptor and fits CLIP's 77 tokens
    (with the style), prompts differ, and a scene lasts long enough to read its caption.
    """
    from .styles import STYLES, fit_prompt

    character = script.triple.character
    look = STYLES.get(script.style)
    scenes, notes, prompts = [], [], {}
    for template, item in zip(script.scenes, data["scenes"]):
        caption = " ".join(item["caption"].split())
        prompt = " ".join(item["prompt"].split())
        rest = prompt
        if prompt.casefold().startswith(character.casefold()):
            rest = prompt[len(character):]
        rest = rest.strip(" ,;.")
        parts = [("character", character), ("scene", rest)] + ([("style", look.suffix)] if look else [])
        prompt, changed = fit_prompt(parts, keep=1, tokenizer=tokenizer)
        if changed:
            notes.append(f"scene {template.index}: prompt cut to fit CLIP's 77 tokens ({'; '.join(changed)})")
        if prompt in prompts:
            raise LLMWriterError(f"scenes {prompts[prompt]} and {template.index} have the same prompt after the 77-token fit")
        prompts[prompt] = template.index
        fps = template.fps
        if num_frames:
            frames = num_frames
        else:
            frames = max(round(float(item["duration"]) * fps), frames_to_read(caption, fps))
            frames = max(fps, min(max_frames, frames))
        if frames_to_read(caption, fps) > frames:
            notes.append(f"scene {template.index}: caption needs more than its {frames / fps:g} s to read at 3 words/s")
        scenes.append(dataclasses.replace(template, beat=item["beat"], prompt=prompt, text=caption,
                                          camera=item["camera"], num_frames=frames))
    title = check_text(data["title"], "title", allow_empty=True)
    return Script(triple=script.triple, scenes=scenes, style=script.style, seed=script.seed, title=title,
                  source=script.source, writer="llm", notes=notes, metadata=dict(script.metadata)).validate()


# -- the backends --------------------------------------------------------------------------

_LOADED: dict = {}


def unload() -> None:
    """Frees the cached local model (its memory goes back before rendering, if you need it)."""
    _LOADED.clear()


def _resolve_local(model: str, download: bool) -> tuple[str, bool]:
    """(what to load, whether only local files may be used); LLMWriterError if it is not on this machine."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise LLMWriterError(f"{str(path)!r} has no config.json: not a transformers model folder")
        return str(path), True
    if model.startswith(("/", ".", "~")) or model.count("/") > 1 or "\\" in model:  # a path, not a hub id
        raise LLMWriterError(f"no model folder at {str(path)!r}")
    why = ""
    if download:
        from ..hub import hub_reachable

        ok, why = hub_reachable()  # seconds, not huggingface_hub's retries; unreachable: the cache may still have it
        if ok:
            return model, False
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        raise LLMWriterError("huggingface-hub is not installed (pip install 'storykit[gen]')") from None
    if not isinstance(try_to_load_from_cache(model, "config.json"), str):
        if download:
            reason = f"the hub is not contacted: {why}" if "OFFLINE" in why else f"and it cannot be downloaded: {why}"
            raise LLMWriterError(f"no model folder or cached hub id {model!r} on this machine ({reason})")
        raise LLMWriterError(
            f"no model folder or cached hub id {model!r} on this machine (the hub is not contacted; "
            "pass a folder, or download=True / --llm-download)"
        )
    return model, True


def _load_local(model: str, download: bool):
    from ..errors import require

    source, local_only = _resolve_local(model, download)  # a wrong folder says so before 1-2 s of imports
    torch = require("torch", "gen")
    transformers = require("transformers", "gen")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    key = (source, device)
    if key not in _LOADED:
        # fp16 on CUDA (a T4 has no fast bf16), fp32 on CPU where fp16 matmuls are slow or missing.
        dtype = torch.float16 if device == "cuda" else torch.float32
        dtype_arg = "dtype" if int(transformers.__version__.split(".")[0]) >= 5 else "torch_dtype"
        tok = transformers.AutoTokenizer.from_pretrained(source, local_files_only=local_only)
        lm = transformers.AutoModelForCausalLM.from_pretrained(source, local_files_only=local_only, **{dtype_arg: dtype})
        _LOADED.clear()  # one model at a time
        _LOADED[key] = (tok, lm.to(device).eval())
    return (*_LOADED[key], torch)


def generate_local(model: str, messages: list[dict], *, seed: int, max_new_tokens: int, timeout: float,
                   download: bool = False) -> str:
    """The local model's answer to `messages` (chat template if it has one), sampled with `seed`."""
    tok, lm, torch = _load_local(model, download)
    if getattr(tok, "chat_template", None):
        inputs = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    else:  # a base model: plain text
        inputs = tok("\n\n".join(m["content"] for m in messages) + "\n", return_tensors="pt")
    inputs = {k: v.to(lm.device) for k, v in inputs.items()}
    devices = [lm.device] if lm.device.type == "cuda" else []
    start = time.perf_counter()
    with torch.random.fork_rng(devices=devices), torch.inference_mode():
        torch.manual_seed(seed)
        out = lm.generate(
            **inputs, do_sample=True, temperature=TEMPERATURE, top_p=TOP_P, max_new_tokens=max_new_tokens,
            max_time=timeout, pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
        )
    text = tok.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    if time.perf_counter() - start >= timeout:
        try:
            json.loads(text)
        except ValueError:
            raise LLMWriterError(f"the model timed out after {timeout:g} s") from None
    return text


class _Deadline:
    """One deadline for a whole HTTP exchange: when it passes, every socket it opened is shut down.

    urllib's `timeout` bounds each socket operation, so a server that trickles a byte
    a second never trips it; shutting the socket down wakes the blocked read at once.
    """

    def __init__(self, seconds: float):
        self.expired = False
        self._sockets: list = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self.expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock) -> None:
        with self._lock:
            self._sockets.append(sock)
            late = self.expired
        if late:
            self._shut(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()

    @staticmethod
    def _shut(sock) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed
            pass


def _opener(deadline: _Deadline) -> urllib.request.OpenerDirector:
    """urllib's opener (redirects, proxies as usual) whose connections register their sockets with `deadline`."""

    def watched(base):
        class Connection(base):
            def connect(self):
                super().connect()
                deadline.watch(self.sock)

        return Connection

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(watched(http.client.HTTPConnection), req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(watched(http.client.HTTPSConnection), req, context=self._context)

    return urllib.request.build_opener(HTTP, HTTPS)


def generate_server(base_url: str, model: str, messages: list[dict], *, seed: int, max_tokens: int, timeout: float,
                    schema: dict | None = None) -> str:
    """The answer of an OpenAI-compatible server at `base_url` (e.g. http://127.0.0.1:11434/v1).

    Sends the schema as `response_format` (structured output); a server that refuses
    that (HTTP 400) is asked once more without it. Plain urllib: one POST needs no SDK.
    `timeout` bounds the whole exchange (both tries), not each read: a server that
    trickles its answer is cut off when it runs out.
    """
    deadline = _Deadline(timeout)
    try:
        text = _post(base_url, model, messages, seed=seed, max_tokens=max_tokens, deadline=deadline,
                     start=time.monotonic(), timeout=timeout, schema=schema)
    except LLMWriterError:
        raise
    except Exception as e:
        if deadline.expired:  # whatever the cut-off connection raised: it ran out of time
            raise LLMWriterError(f"the server at {base_url} timed out after {timeout:g} s") from None
        raise
    finally:
        deadline.cancel()
    if deadline.expired:
        raise LLMWriterError(f"the server at {base_url} timed out after {timeout:g} s")
    return text


def _post(base_url, model, messages, *, seed, max_tokens, deadline, start, timeout, schema) -> str:
    body = {"model": model, "messages": messages, "temperature": TEMPERATURE, "top_p": TOP_P, "seed": seed,
            "max_tokens": max_tokens, "stream": False}
    if schema is not None:
        body["response_format"] = {"type": "json_schema", "json_schema": {"name": "storykit_script", "schema": schema}}
    headers = {"Content-Type": "application/json"}
    if os.environ.get("STORYKIT_LLM_API_KEY"):
        headers["Authorization"] = f"Bearer {os.environ['STORYKIT_LLM_API_KEY']}"
    url = base_url.rstrip("/") + "/chat/completions"
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST")
    left = max(0.05, timeout - (time.monotonic() - start))
    try:
        with _opener(deadline).open(request, timeout=left) as reply:
            answer = json.loads(reply.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        if e.code == 400 and schema is not None and not deadline.expired:
            return _post(base_url, model, messages, seed=seed, max_tokens=max_tokens, deadline=deadline, start=start,
                         timeout=timeout, schema=None)
        raise LLMWriterError(f"the server at {base_url} answered HTTP {e.code}") from None
    except (TimeoutError, OSError) as e:  # URLError and socket.timeout are OSErrors
        reason = getattr(e, "reason", e)
        if deadline.expired or isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise LLMWriterError(f"the server at {base_url} timed out after {timeout:g} s") from None
        raise LLMWriterError(f"cannot reach the server at {base_url} ({reason})") from None
    except http.client.HTTPException as e:  # a malformed or broken-off HTTP answer
        if deadline.expired:
            raise LLMWriterError(f"the server at {base_url} timed out after {timeout:g} s") from None
        raise LLMWriterError(f"the server at {base_url} broke off its answer ({type(e).__name__})") from None
    except ValueError:
        if deadline.expired:
            raise LLMWriterError(f"the server at {base_url} timed out after {timeout:g} s") from None
        raise LLMWriterError(f"the server at {base_url} did not answer with JSON") from None
    try:
        return answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LLMWriterError(f"the server at {base_url} did not answer with an OpenAI chat completion") from None


# -- the writer ----------------------------------------------------------------------------


def check_base_url(base_url: str | None) -> None:
    if base_url is not None and not re.match(r"^https?://[^\s/]+", str(base_url)):
        raise InvalidInput(f"llm base URL must start with http:// or https://, e.g. http://127.0.0.1:11434/v1; got {base_url!r}")


def write_with_llm(script: Script, *, model: str | None = None, base_url: str | None = None, timeout: float = 180.0,
                   num_frames: int | None = None, tokenizer=None, download: bool = False) -> Script:
    """`script` rewritten by a language model, or `script` itself (with a note) if anything fails."""
    check_base_url(base_url)
    model = model or DEFAULT_LLM_MODEL
    n = len(script.scenes)
    messages = writer_messages(script)
    budget = 200 * n + 100  # tokens: a scene's JSON is ~60-120 tokens in English, more in CJK
    start = time.perf_counter()
    try:
        if base_url:
            text = generate_server(base_url, model, messages, seed=script.seed, max_tokens=budget, timeout=timeout,
                                   schema=script_schema(n))
        else:
            text = generate_local(model, messages, seed=script.seed, max_new_tokens=budget, timeout=timeout,
                                  download=download)
        data = parse_script_json(text, n)
        new = apply_llm_scenes(script, data, num_frames=num_frames, tokenizer=tokenizer)
    except InvalidInput as e:  # e.g. storykit's own checks on the model's caption or title
        reason = f"the model's script breaks a rule ({e})"
    except LLMWriterError as e:
        reason = str(e)
    except Exception as e:  # missing packages, load errors, out of memory: never lose the template script
        first = (str(e).strip().splitlines() or [""])[0][:200]
        reason = f"{type(e).__name__}: {first}" if first else type(e).__name__
    else:
        new.metadata["llm"] = {"model": model, "base_url": base_url, "seconds": round(time.perf_counter() - start, 2),
                               "seed": script.seed}
        return new
    print(f"storykit: LLM writer not used ({reason}); kept the template script", file=sys.stderr)
    script.notes.append(f"LLM writer not used: {reason}")
    script.metadata["llm"] = {"model": model, "base_url": base_url, "fallback": reason}
    return script
