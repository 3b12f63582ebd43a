"""Issue 25 (reliability, round three): the cache deletes only its own files, replays say when they
can't be exact, every number and name has a limit, and hostile input gives one line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from storykit import InvalidInput
from storykit.cli import main
from storykit.generate import RenderConfig, render_story
from storykit.generate.cache import ClipCache
from storykit.testing import FakeBackend, example_script

CFG = RenderConfig(height=64, width=64)
FOREIGN = ("experiment_0.npz", "experiment_1.npz", "experiment_2.npz", "fn0.npz", "results.npz")


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("storykit: error:") and "\n" not in err and "Traceback" not in err, err
    return err


def _cache_with(folder: Path, foreign=FOREIGN, scenes: int = 2) -> dict[str, bytes]:
    """A cache folder holding `scenes` real entries and the user's own .npz files; returns the user's files' bytes."""
    render_story(example_script(scenes), FakeBackend(), CFG, cache_dir=folder, progress=False)
    mine = {}
    for k, name in enumerate(foreign):
        np.savez(folder / name, results=np.arange(k + 3))
        mine[name] = (folder / name).read_bytes()
    return mine


# -- 1. the cache never deletes what it did not write ----------------------------------------


@pytest.mark.parametrize("argv", [["clear"], ["prune", "--max", "0"]])
def test_cache_command_refuses_a_folder_with_foreign_files_and_deletes_nothing(tmp_path, capsys, argv):
    folder = tmp_path / "clips"
    mine = _cache_with(folder)
    before = sorted(p.name for p in folder.iterdir())
    assert main(["cache", *argv, "--cache-dir", str(folder)]) == 2
    err = one_line_error(capsys)
    assert "did not write" in err and "experiment_0.npz" in err and "2 more" in err
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing at all was deleted
    assert all((folder / n).read_bytes() == b for n, b in mine.items())


def test_python_clear_and_prune_refuse_too(tmp_path):
    folder = tmp_path / "clips"
    _cache_with(folder, foreign=("results.npz",))
    cache = ClipCache(folder)
    for op in (cache.clear, lambda: cache.prune(0)):
        with pytest.raises(InvalidInput, match="did not write"):
            op()
    assert (folder / "results.npz").is_file() and len(cache) == 2


def test_automatic_prune_beside_foreign_files_deletes_nothing_and_says_so_once(tmp_path, capsys):
    folder = tmp_path / "clips"
    mine = _cache_with(folder, scenes=1)
    cache = ClipCache(folder, max_bytes=0)  # every put would prune everything else
    render_story(example_script(3), FakeBackend(), CFG, cache_dir=cache, progress=False)
    assert all((folder / n).read_bytes() == b for n, b in mine.items())
    assert len(cache) == 3  # the old entry stays too: nothing is pruned in a shared folder
    err = [ln for ln in capsys.readouterr().err.splitlines() if "not pruning" in ln]
    assert len(err) == 1 and "did not write" in err[0]


def test_an_entry_name_without_an_entry_inside_is_never_deleted(tmp_path):
    folder = tmp_path / "clips"
    render_story(example_script(2), FakeBackend(), CFG, cache_dir=folder, progress=False)
    lookalike = folder / ("ab" * 32 + ".npz")  # the name pattern, but the user's arrays inside
    np.savez(lookalike, results=np.arange(5))
    text = folder / ("cd" * 32 + ".npz")
    text.write_text("not a zip")
    assert ClipCache(folder).clear() == 2
    assert lookalike.is_file() and text.is_file()
    assert sorted(p.name for p in folder.iterdir()) == sorted([lookalike.name, text.name])


def test_a_clean_cache_still_clears_and_prunes(tmp_path, capsys):
    folder = tmp_path / "clips"
    _cache_with(folder, foreign=(), scenes=3)
    (folder / ".DS_Store").write_bytes(b"\0")  # what a file browser leaves is not the user's data
    assert main(["cache", "prune", "--cache-dir", str(folder), "--max", "0"]) == 0
    assert "deleted 3" in capsys.readouterr().out
    assert (folder / ".DS_Store").is_file()


@pytest.mark.parametrize("where", ["home", "above home", "project root"])
def test_cache_dir_at_a_home_or_project_root_is_refused(tmp_path, monkeypatch, capsys, where):
    home = tmp_path / "home" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    target = {"home": home, "above home": home.parent, "project root": tmp_path / "proj"}[where]
    target.mkdir(exist_ok=True)
    if where == "project root":
        (target / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    entry = target / ("ef" * 32 + ".npz")  # even a real-looking entry there is left alone
    np.savez(entry, format=np.array(2), metadata=np.array("{}"), checksum=np.array("x"), frames=np.zeros(1))
    for argv in (["cache", "clear"], ["cache", "prune", "--max", "0"], ["cache", "info"]):
        assert main([*argv, "--cache-dir", str(target)]) == 2
        assert "cannot be" in one_line_error(capsys)
    assert entry.is_file()


@pytest.mark.parametrize("size", ["9" * 400, "9" * 400 + "GiB", "1" + "0" * 30 + " TiB"])
def test_a_huge_cap_is_one_line(tmp_path, capsys, size):
    assert main(["cache", "prune", "--cache-dir", str(tmp_path / "c"), "--max", size]) == 2
    assert "too large" in one_line_error(capsys)


# -- 3. a manifest from another animatic version says so ---------------------------------------


def _older_manifest(tmp_path) -> tuple[Path, str, str]:
    import json

    from storykit.generate.animatic.backend import ANIMATIC_VERSION  # the backend's own constant
    from storykit.story import make_story

    first = make_story(example_script(2, num_frames=4), output=tmp_path / "a.mp4", backend="animatic", height=64,
                       width=64, cache_dir=False, progress=False)
    doc = json.loads(first.export.manifest.read_text())
    assert doc["backend"]["version"] == ANIMATIC_VERSION
    older = str(int(ANIMATIC_VERSION) - 1) if ANIMATIC_VERSION.isdigit() else ANIMATIC_VERSION + "-old"
    doc["backend"]["version"] = older
    path = tmp_path / "old.manifest.json"
    path.write_text(json.dumps(doc))
    return path, older, ANIMATIC_VERSION


def test_an_older_animatic_manifest_is_refused_in_one_line_before_rendering(tmp_path, capsys, monkeypatch):
    from storykit.generate.animatic.backend import AnimaticBackend

    path, older, now = _older_manifest(tmp_path)
    drawn = []
    monkeypatch.setattr(AnimaticBackend, "render_scene", lambda self, *a, **k: drawn.append(a) or 1 / 0)
    assert main(["render", "--manifest", str(path), "-o", str(tmp_path / "b.mp4")]) == 2
    err = one_line_error(capsys)
    assert f"version {older}" in err and f"version {now}" in err and "cannot be exact" in err
    assert "--allow-version-change" in err and "allow_version_change=" not in err
    assert drawn == [] and not (tmp_path / "b.mp4").exists()


def test_allow_version_change_replays_with_a_note(tmp_path, capsys):
    from storykit.story import make_story

    path, older, now = _older_manifest(tmp_path)
    with pytest.raises(InvalidInput, match="allow_version_change=True"):
        make_story(manifest=path, output=tmp_path / "p.mp4", cache_dir=False, progress=False)
    result = make_story(manifest=path, output=tmp_path / "p.mp4", cache_dir=False, allow_version_change=True)
    assert result.export.videos["mp4"].is_file() and result.backend["version"] == now
    assert main(["render", "--manifest", str(path), "-o", str(tmp_path / "c.mp4"), "--no-cache",
                 "--allow-version-change"]) == 0
    out = capsys.readouterr().out
    assert f"version {older}" in out and "cannot be exact" in out and (tmp_path / "c.mp4").is_file()
    # The flag means nothing without a manifest: refused, not ignored.
    assert main(["render", "--setting", "a", "--character", "b", "--action", "c", "--allow-version-change",
                 "-o", str(tmp_path / "d.mp4")]) == 2
    assert "--manifest" in one_line_error(capsys)


def test_the_same_version_replays_without_a_word(tmp_path, capsys):
    from storykit.story import make_story

    first = make_story(example_script(2, num_frames=4), output=tmp_path / "a.mp4", backend="animatic", height=64,
                       width=64, cache_dir=False, progress=False)
    capsys.readouterr()
    make_story(manifest=first.export.manifest, output=tmp_path / "b.mp4", cache_dir=False, progress=False)
    assert "version" not in capsys.readouterr().out


# -- 4, 7, 8. output names: a folder's name, names too long, temporaries that always fit ------------


def _render(tmp_path, name, *extra) -> int:
    return main(["render", "--setting", "a quiet harbour", "--character", "an old sailor", "--action", "mends a net",
                 "--scenes", "3", "--frames", "4", "--height", "64", "--width", "64", "--backend", "animatic",
                 "--no-cache", "-o", str(tmp_path / name) if not name.startswith("/") else name, *extra])


@pytest.fixture
def no_drawing(monkeypatch):
    """Records every scene the animatic is asked to draw, and draws none."""
    from storykit.generate.animatic.backend import AnimaticBackend

    drawn = []
    monkeypatch.setattr(AnimaticBackend, "render_scene", lambda self, *a, **k: drawn.append(a) or 1 / 0)
    return drawn


@pytest.mark.parametrize("name", ["final.mp4/", "out.gif/", "./"])
def test_an_output_with_a_trailing_slash_is_refused(tmp_path, capsys, no_drawing, name):
    assert main(["render", "--setting", "a", "--character", "b", "--action", "c", "--backend", "animatic",
                 "-o", str(tmp_path) + "/" + name]) == 2
    assert "names a folder" in one_line_error(capsys)
    assert no_drawing == [] and list(tmp_path.iterdir()) == []


def test_trailing_slash_refused_by_export_story_and_plan_too(tmp_path, capsys):
    from storykit.stitch.export import export_story
    from storykit.stitch.timeline import stitch
    from storykit.testing import FakeBackend

    script = example_script(2, num_frames=4)
    clips = render_story(script, FakeBackend(), CFG, cache_dir=False, progress=False)
    with pytest.raises(InvalidInput, match="names a folder"):
        export_story(stitch(clips, script, fps=8), str(tmp_path / "s.mp4") + "/", progress=False)
    assert main(["plan", "--setting", "a", "--character", "b", "--action", "c", "-o", str(tmp_path / "s.json") + "/"]) == 2
    assert "names a folder" in one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_a_236_byte_output_name_exports_whole(tmp_path, capsys):
    # The final names fit 255 bytes (".manifest.json" makes the longest 246); the temporaries must too.
    stem = "s" * 232
    assert len((stem + ".mp4").encode()) == 236
    assert _render(tmp_path, stem + ".mp4") == 0, capsys.readouterr().err
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(stem + e for e in (".manifest.json", ".mp4", ".narration.txt", ".srt", ".vtt"))


def test_a_multibyte_name_near_the_limit_keeps_whole_characters(tmp_path, capsys):
    stem = "狐" * 77  # 231 bytes of UTF-8: the temporaries must be cut between characters, not inside one
    assert _render(tmp_path, stem + ".gif") == 0, capsys.readouterr().err
    assert (tmp_path / (stem + ".gif")).is_file() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("stem_bytes", [242, 256, 300])
def test_a_name_too_long_for_any_file_is_one_line_before_rendering(tmp_path, capsys, no_drawing, stem_bytes):
    # 242: "NAME.mp4" fits but "NAME.manifest.json" (256 bytes) does not; 256+: the video's own name does not.
    assert _render(tmp_path, "v" * stem_bytes + ".mp4") == 2
    err = one_line_error(capsys)
    assert "bytes" in err and "255" in err and "ENAMETOOLONG" not in err and "Errno" not in err
    assert no_drawing == [] and list(tmp_path.iterdir()) == []


def test_a_260_byte_name_is_one_line_in_python_too(tmp_path):
    from storykit.stitch.preflight import check_export

    with pytest.raises(InvalidInput, match="at most 255"):
        check_export(tmp_path / ("v" * 256 + ".mp4"))


def test_cleanup_never_hides_the_error_that_stopped_an_export(tmp_path, monkeypatch):
    import errno

    from storykit.errors import StorykitError
    from storykit.stitch import export as export_mod
    from storykit.stitch.timeline import stitch

    script = example_script(2, num_frames=4)
    story = stitch(render_story(script, FakeBackend(), CFG, cache_dir=False, progress=False), script, fps=8)

    def first_error(*a, **k):
        raise StorykitError("ffmpeg failed: the first error")

    real_unlink = Path.unlink

    def unlink(self, *a, **k):  # the cleanup fails as it did with names too long
        if self.name.startswith("."):
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), str(self))
        return real_unlink(self, *a, **k)

    monkeypatch.setattr(export_mod, "_encode", first_error)
    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(StorykitError, match="the first error"):
        export_mod.export_story(story, tmp_path / "s.mp4", progress=False)


# -- 15. the early check lists every file an export writes -------------------------------------


@pytest.mark.parametrize("existing", ["s.narration.txt", "s.manifest.json", "s.srt", "s.vtt", "s.gif"])
def test_any_existing_side_file_is_refused_before_a_scene_renders(tmp_path, capsys, no_drawing, existing):
    (tmp_path / existing).write_text("the user's own")
    assert _render(tmp_path, "s.mp4", "--gif") == 2
    assert existing in one_line_error(capsys) and no_drawing == []
    assert (tmp_path / existing).read_text() == "the user's own"


def test_an_existing_reference_png_is_refused_before_a_scene_renders(tmp_path, monkeypatch):
    from PIL import Image

    from storykit.story import make_story

    Image.new("RGB", (96, 96), (200, 40, 40)).save(tmp_path / "fox.png")
    (tmp_path / "s.reference.png").write_bytes(b"the user's own")
    backend = FakeBackend()
    backend.supports_reference = True  # as Lightning: it would save the reference as NAME.reference.png
    with pytest.raises(InvalidInput, match="s.reference.png' exists"):
        make_story(example_script(2, num_frames=4), output=tmp_path / "s.mp4", backend=backend, height=64, width=64,
                   reference=tmp_path / "fox.png", cache_dir=False, progress=False)
    assert backend.calls == [] and (tmp_path / "s.reference.png").read_bytes() == b"the user's own"


def test_the_early_check_and_export_name_the_same_files(tmp_path):
    from storykit.stitch.export import export_story
    from storykit.stitch.preflight import export_targets
    from storykit.stitch.timeline import stitch

    script = example_script(2, num_frames=4)
    story = stitch(render_story(script, FakeBackend(), CFG, cache_dir=False, progress=False), script, fps=8)
    result = export_story(story, tmp_path / "s.mp4", formats=("mp4", "gif"), progress=False)
    assert sorted(result.paths) == sorted(export_targets(tmp_path / "s.mp4", ("mp4", "gif")))
    assert sorted(result.paths) == sorted(tmp_path.iterdir())


def test_the_missing_reference_message_reads(tmp_path):
    from storykit.generate.reference_image import load_reference

    with pytest.raises(InvalidInput) as e:
        load_reference({"path": str(tmp_path / "gone.png"), "pixels_sha256": "0" * 64})
    assert str(e.value).startswith("no reference image named in the manifest at") and "image image" not in str(e.value)


# -- 9. one image loader for the command line and the Studio -----------------------------------


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height (a decompression bomb's header) with a few bytes of data: cheap to make."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


BAD_IMAGES = {
    "bomb.png": _png_header_only(20000, 20000),   # Pillow raises DecompressionBombError on open
    "big.png": _png_header_only(5000, 5000),      # under Pillow's limit, over storykit's
    "cut.png": _png_header_only(96, 96),          # a real header, then too little data
    "text.png": b"not an image at all",
}


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_a_bad_reference_file_is_one_line_on_the_command_line(tmp_path, capsys, no_drawing, name):
    (tmp_path / name).write_bytes(BAD_IMAGES[name])
    assert _render(tmp_path, "s.mp4", "--reference", str(tmp_path / name)) == 2
    err = one_line_error(capsys)
    assert name in err and "DecompressionBombError" not in err
    assert no_drawing == []


class _ReferenceBackend(FakeBackend):
    """A fake that declares IP-Adapter support, so the Studio reads its upload (the animatic's Studio ignores it)."""

    supports_reference = True


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_a_bad_upload_in_the_studio_is_one_line_and_no_bug(tmp_path, name):
    pytest.importorskip("ipywidgets")
    import datetime

    from storykit.studio.widgets import Studio

    backend = _ReferenceBackend()
    studio = Studio(backend=backend, cache_dir=False, output_dir=tmp_path / "out", height=64, width=64)
    studio.num_scenes.value = 3
    studio.plan()
    data = BAD_IMAGES[name]
    studio.reference_upload.value = ({"name": name, "type": "image/png", "size": len(data), "content": memoryview(data),
                                      "last_modified": datetime.datetime.now(datetime.timezone.utc)},)
    studio._safely(studio.render_all)
    message = studio.messages[-1]
    assert message.startswith("⚠") and name in message and "a bug in storykit" not in message
    assert "\n" not in message and backend.calls == []


def test_the_studio_and_the_command_line_share_the_loader(monkeypatch, tmp_path):
    # One loader: a spy on read_image sees both the CLI's path and the Studio's upload.
    pytest.importorskip("ipywidgets")
    import datetime
    import io

    from PIL import Image

    from storykit.generate import reference_image
    from storykit.studio.widgets import Studio

    seen = []
    real = reference_image.read_image
    monkeypatch.setattr(reference_image, "read_image", lambda source, **k: seen.append(type(source)) or real(source, **k))
    Image.new("RGB", (96, 96), (10, 200, 30)).save(tmp_path / "ok.png")
    reference_image.load_reference(tmp_path / "ok.png")
    studio = Studio(backend=_ReferenceBackend(), cache_dir=False, output_dir=tmp_path / "out", height=64, width=64)
    studio.num_scenes.value = 3
    studio.plan()
    buf = io.BytesIO()
    Image.new("RGB", (96, 96), (10, 200, 30)).save(buf, format="PNG")
    studio.reference_upload.value = ({"name": "ok.png", "type": "image/png", "size": len(buf.getvalue()),
                                      "content": memoryview(buf.getvalue()),
                                      "last_modified": datetime.datetime.now(datetime.timezone.utc)},)
    studio._with_continuity(RenderConfig(height=64, width=64))
    assert seen == [type(tmp_path / "ok.png"), bytes]


# -- 12. an LLM server that trickles its answer is cut off at the deadline ---------------------


class _Trickler:
    """A raw TCP server that answers any request with `at_once`, then `reply` one byte every `gap` seconds."""

    def __init__(self, reply: bytes, gap: float, at_once: bytes = b""):
        import socket
        import threading

        self.reply, self.gap, self.at_once, self.sent, self.finished = reply, gap, at_once, 0, False
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        import time

        conn, _ = self.sock.accept()
        try:
            conn.recv(65536)  # the request (small enough for one read here)
            conn.sendall(self.at_once)
            for byte in self.reply:
                conn.sendall(bytes([byte]))
                self.sent += 1
                time.sleep(self.gap)
            self.finished = True
        except OSError:  # the client hung up: what the deadline should make it do
            pass
        finally:
            conn.close()
            self.sock.close()
            self.done.set()


def _completion(text: str) -> tuple[bytes, bytes]:
    """An HTTP answer's head and body."""
    import json

    body = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body), body


@pytest.mark.parametrize("trickled", ["head and body", "body"])
def test_a_trickling_llm_server_is_cut_off_at_the_deadline(capsys, trickled):
    from storykit import plan

    head, body = _completion("x" * 400)
    # A byte every 0.02 s: each read is far inside the 0.4 s timeout, the whole answer takes 8 s or more.
    if trickled == "body":
        server = _Trickler(body, gap=0.02, at_once=head)
    else:
        server = _Trickler(head + body, gap=0.02)
    script = plan("a quiet harbour", "an old sailor", "mends a net", writer="llm", base_url=server.url, llm_timeout=0.4)
    assert server.done.wait(30)
    assert script.writer == "template" and "timed out after 0.4 s" in script.metadata["llm"]["fallback"]
    assert not server.finished and server.sent < len(server.reply)  # it hung up mid-trickle, not at the end
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "timed out" in err


# -- more of the same kinds: odd paths, huge numbers, folders that cannot be written ------------


LONG = "L" * 300  # no file system takes a 300-byte name


@pytest.mark.parametrize("argv", [
    ["render", "--manifest", LONG + ".json", "-o", "x.mp4"],
    ["render", "--script", LONG + ".json", "-o", "x.mp4"],
    ["plan", "--storybench", LONG + ".json"],
    ["render", "--setting", "a", "--character", "b", "--action", "c", "--backend", "lightning",
     "--checkpoint", LONG + ".safetensors", "-o", "x.mp4"],
    ["render", "--setting", "a", "--character", "b", "--action", "c", "--backend", "animatic", "--audio", LONG + ".wav",
     "-o", "x.mp4"],
])
def test_a_path_too_long_for_the_file_system_is_one_line(tmp_path, monkeypatch, capsys, no_drawing, argv):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = one_line_error(capsys)
    assert "Errno" not in err and no_drawing == []


def test_a_huge_number_is_echoed_short(capsys):
    assert main(["render", "--setting", "a", "--character", "b", "--action", "c", "--scenes", "9" * 400]) == 2
    err = one_line_error(capsys)
    assert "(400 digits)" in err and len(err) < 200


def test_an_output_folder_that_refuses_new_files_is_one_line_before_rendering(tmp_path, monkeypatch, capsys, no_drawing):
    # A read-only file system refuses to create a file whatever the permission bits say (and root ignores
    # those): raise what the kernel would, where a file is first made in the output folder.
    import errno

    real_open = os.open

    def read_only(path, flags, *a):
        if str(path).startswith(str(tmp_path)) and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *a)

    monkeypatch.setattr(os, "open", read_only)
    assert _render(tmp_path, "s.mp4") == 2
    assert "Read-only file system" in one_line_error(capsys) and no_drawing == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="/proc is Linux's")
def test_proc_as_the_output_folder_is_one_line_before_rendering(capsys, no_drawing):
    assert _render(Path("/proc"), "/proc/story.mp4") == 2
    one_line_error(capsys)
    assert no_drawing == []


@pytest.mark.parametrize("argv", [["cache", "info"], ["cache", "clear"],
                                  ["render", "--setting", "a", "--character", "b", "--action", "c", "-o", "x.mp4"]])
def test_an_empty_cache_dir_is_not_the_working_folder(tmp_path, monkeypatch, capsys, no_drawing, argv):
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--cache-dir", ""]) == 2
    assert "folder path" in one_line_error(capsys) and list(tmp_path.iterdir()) == [] and no_drawing == []
