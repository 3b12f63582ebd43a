"""The `storykit` command line (also `python -m storykit`).

    storykit plan   --setting ... --character ... --action ... [-o script.json]
    storykit render --setting ... --character ... --action ... -o story.mp4
    storykit info [--device]
    storykit cache info|clear|prune [--max 2GiB]
    storykit studio [--port 8866] [--backend auto|animatic|lightning] [--output-dir DIR]
    storykit storybench render TASK_FILE --out DIR [--samples S] [--ray [ADDRESS]]
    storykit storybench ground-truth TASK_FILE --videos DIR --out DIR

Errors a user can cause print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from ._version import __version__
from .errors import InvalidInput, StorykitError
from .paths import check_file_name
from .plan.script import MAX_FRAMES

EXAMPLE = (
    'storykit render --setting "a misty bamboo forest at dawn" '
    '--character "a small red fox in a blue scarf" --action "searches for a lost lantern" -o story.mp4'
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: one line, exit 2, plus where to get help
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _add_story_source(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("the story", "give a triple, a saved script, or a StoryBench entry")
    g.add_argument("--setting", help='where it happens, e.g. "a misty bamboo forest at dawn"')
    g.add_argument("--character", help='who it is about, e.g. "a small red fox in a blue scarf"')
    g.add_argument("--action", help='what they do, e.g. "searches for a lost lantern"')
    g.add_argument("--script", metavar="JSON", help="a script saved by `storykit plan -o` (edit it freely)")
    g.add_argument("--storybench", metavar="FILE", help="a StoryBench task file (e.g. story_gen.json)")
    g.add_argument("--index", type=int, default=None, help="which entry of the StoryBench file (default 0)")
    g = p.add_argument_group("planning")
    # Defaults are None so that an option given where it would be ignored can be refused.
    g.add_argument("--scenes", type=int, default=None, help="number of scenes, 3-8 (default 5)")
    g.add_argument("--style", default=None, help="cinematic (default), anime, watercolor, claymation, storybook, pixel")
    g.add_argument("--seed", type=int, default=None, help="story seed: same seed, same story (default 0)")
    g.add_argument("--frames", type=int, default=None,
                   help="frames per scene at 8 fps (default: 16, Lightning's clip length, or up to 32 so a caption can be read)")
    g.add_argument("--writer", default=None, choices=("template", "llm"),
                   help="who writes captions and prompts: the offline templates (default) or a language model")
    g.add_argument("--llm-model", default=None, metavar="ID_OR_PATH",
                   help="the language model for --writer llm: a model folder or a hub id already downloaded "
                   "(default Qwen/Qwen2.5-1.5B-Instruct), or the model name on --llm-base-url")
    g.add_argument("--llm-base-url", default=None, metavar="URL",
                   help="an OpenAI-compatible server you run (Ollama, vLLM, llama.cpp), e.g. http://127.0.0.1:11434/v1")
    g.add_argument("--llm-download", action="store_true", help="let --llm-model download from the hub if it is not cached")


def _script_from_args(args):
    from .plan.planner import plan
    from .plan.script import Script
    from .plan.storybench import script_from_storybench

    sources = [bool(args.script), bool(args.storybench), any(v is not None for v in (args.setting, args.character, args.action))]
    if sum(sources) != 1:
        raise InvalidInput("give exactly one story: --setting/--character/--action, or --script FILE, or --storybench FILE")
    # A saved script fixes every planning choice; a StoryBench entry fixes scenes and frames.
    writer = ("writer", "llm_model", "llm_base_url")
    unused = {"script": ("scenes", "style", "seed", "frames", "index", *writer), "storybench": ("scenes", "frames", *writer)}
    for source, names in unused.items():
        if getattr(args, source):
            _refuse_given(args, names, f"--{source}")
    if args.index is not None and not args.storybench:
        raise InvalidInput("--index picks an entry of a --storybench file; give --storybench FILE too")
    style = args.style or "cinematic"
    seed = 0 if args.seed is None else args.seed
    if args.script:
        return Script.load(args.script)
    if args.storybench:
        return script_from_storybench(args.storybench, args.index or 0, style=style, seed=seed)
    missing = [n for n in ("setting", "character", "action") if getattr(args, n) is None]
    if missing:
        raise InvalidInput(f"missing --{', --'.join(missing)}; a story needs a setting, a character and an action")
    frames = args.frames  # None: the planner times each scene to its caption (16-32 frames)
    if frames is not None and not 1 <= frames <= MAX_FRAMES:
        raise InvalidInput(f"--frames must be between 1 and {MAX_FRAMES} (frames per scene at 8 fps), got {frames}")
    return plan(args.setting, args.character, args.action, num_scenes=5 if args.scenes is None else args.scenes,
                style=style, seed=seed, num_frames=frames, writer=args.writer or "template", model=args.llm_model,
                base_url=args.llm_base_url, download=args.llm_download)


def _refuse_given(args, names, source: str) -> None:
    """One line instead of silently ignoring options that `source` already decides."""
    given = [f"--{n.replace('_', '-')}" for n in names if getattr(args, n, None) is not None]
    if given:
        raise InvalidInput(f"{', '.join(given)} cannot be used with {source}, which already decides "
                           f"{'it' if len(given) == 1 else 'them'}; edit the file instead, or plan a new story")


def cmd_plan(args) -> int:
    script = _script_from_args(args)
    print(script.table())
    if args.output:
        out = check_file_name(args.output, "script file", "script.json")  # "s.json/" names a folder
        if os.path.lexists(out) and not args.overwrite:
            raise InvalidInput(f"{str(out)!r} exists; pass --overwrite to replace it")
        print(f"\nwrote {script.save(out)}")
    return 0


def cmd_render(args) -> int:
    from .story import make_story

    if args.manifest:  # a manifest replays its own story and settings
        _refuse_given(args, ("setting", "character", "action", "script", "storybench", "index", "scenes", "style",
                             "seed", "frames", "height", "width", "steps", "fps", "writer", "llm_model",
                             "llm_base_url"), "--manifest")
    if args.allow_version_change and not args.manifest:
        raise InvalidInput("--allow-version-change applies only to --manifest (replaying a story)")
    result = make_story(
        None if args.manifest else _script_from_args(args),
        manifest=args.manifest,
        allow_version_change=args.allow_version_change,
        output=args.output,
        backend=args.backend,
        height=args.height,
        width=args.width,
        num_inference_steps=args.steps,
        base_model=args.base_model,
        checkpoint=args.checkpoint,
        cache_dir=False if args.no_cache else args.cache_dir,
        fps=args.fps,
        audio=args.audio,
        gif=args.gif,
        overwrite=args.overwrite,
        narrate=args.narrate,
        voice=args.voice,
        **_continuity_args(args),
    )
    print(result.summary())
    return 0


def _continuity_args(args) -> dict:
    """--reference, --ip-adapter-scale, --handoff, --handoff-strength, --ip-adapter → make_story keywords."""
    kwargs = {
        "reference": args.reference,
        "ip_adapter_scale": args.ip_adapter_scale,
        "handoff": True if args.handoff else None,
        "handoff_strength": args.handoff_strength,
    }
    if args.ip_adapter:
        kwargs["backend_options"] = {"ip_adapter": args.ip_adapter}
    return kwargs


def cmd_info(args) -> int:
    from .studio.info import environment_report

    print(environment_report(device=args.device))
    return 0


def cmd_cache(args) -> int:
    from .generate.cache import ClipCache

    cache = ClipCache(args.cache_dir, max_bytes=args.max)
    if args.action == "clear":
        print(f"storykit: deleted {cache.clear()} clips from {cache.directory}")
    elif args.action == "prune":
        print(f"storykit: deleted {cache.prune()} least recently used clips")
    print(cache.info())
    return 0


def cmd_studio(args) -> int:
    from .studio.serve import serve

    return serve(port=args.port, backend=args.backend, output_dir=args.output_dir, size=args.size)


def _size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text or "")
    if not m:
        raise InvalidInput(f"--size must be HEIGHTxWIDTH in pixels, e.g. 96x160, got {text!r}")
    return int(m[1]), int(m[2])


def cmd_storybench_render(args) -> int:
    from .benchmark import render_storybench

    height, width = _size(args.size) if args.size is not None else (None, None)
    result = render_storybench(
        args.task_file,
        args.out,
        model_name=args.model_name,
        indices=args.indices,
        samples=args.samples,
        backend=args.backend,
        height=height,
        width=width,
        num_inference_steps=args.steps,
        seed=args.seed,
        style=args.style,
        videos=args.videos,
        dataset=args.dataset,
        ray=(True if args.ray == "local" else args.ray),
        verify=args.verify,
        backend_options={k: v for k, v in (("base_model", args.base_model), ("checkpoint", args.checkpoint)) if v},
        progress=not args.quiet,
    )
    print(result.summary())
    return 1 if result.failures else 0


def cmd_storybench_ground_truth(args) -> int:
    from .benchmark import write_ground_truth

    result = write_ground_truth(args.task_file, args.videos, args.out, indices=args.indices, dataset=args.dataset,
                                progress=not args.quiet)
    print(result.summary())
    return 0


def _add_storybench(sub) -> None:
    p = sub.add_parser(
        "storybench",
        help="render StoryBench task files into the files its evaluator reads",
        description="StoryBench (Bugliarello et al., NeurIPS 2023) research workflow.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    inner = p.add_subparsers(dest="storybench_command", metavar="COMMAND", parser_class=_Parser)
    r = inner.add_parser(
        "render",
        help="render entries of a task file to DIR/data/MODEL/TASK/DATASET/raw/fn{index}.npz",
        description="Render each chosen entry of a StoryBench task file (S samples side by side, 8 fps, cuts, "
        "exact frame counts) into the layout StoryBench's metrics read. Re-running resumes: finished files whose "
        "checksum still matches are skipped. A failed story is reported and never stops the batch.",
        epilog="examples:\n  storykit storybench render data/tasks/oops-test/story_gen.json --out sbdata "
        "--model-name mymodel --indices 0-99 --samples 4 --size 96x160\n"
        "  storykit storybench render data/tasks/uvo-test/action_exe.json --out sbdata --videos npy_videos/ --ray\n"
        "  storykit storybench render data/tasks/didemo-test/story_cont.json --out sbdata --ray ray://head:10001",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("task_file", metavar="TASK_FILE", help="a StoryBench task file, e.g. data/tasks/oops-test/story_gen.json")
    r.add_argument("--out", required=True, metavar="DIR", help="the evaluator's DATA_DIR (files go to DIR/data/...)")
    r.add_argument("--model-name", default=None, metavar="NAME", help="MODEL folder name (default storykit-BACKEND)")
    r.add_argument("--indices", default=None, help="entries to render, e.g. 0-99 or 3,7,10-12 (default all)")
    r.add_argument("--samples", type=int, default=1, help="videos per entry, side by side (the evaluator's --num_videos)")
    r.add_argument("--backend", default="auto", choices=("auto", "lightning", "animatic"), help="default auto")
    r.add_argument("--size", default=None, metavar="HxW", help="frame size, e.g. 96x160 (StoryBench's own); default 512x512")
    r.add_argument("--steps", type=int, default=4, help="Lightning steps (default 4)")
    r.add_argument("--seed", type=int, default=0, help="sample k uses story seed SEED+k (default 0)")
    r.add_argument("--style", default="none", help="prompt style (default none: only what the annotators wrote)")
    r.add_argument("--videos", default=None, metavar="DIR", help="StoryBench's preprocessed .npy videos (conditioning tasks)")
    r.add_argument("--dataset", default=None, help="DATASET folder name (default from the task folder: oops-test → oops_test)")
    r.add_argument("--ray", nargs="?", const="local", default=None, metavar="ADDRESS",
                   help="fan out on Ray: alone starts a local runtime, with an address joins a cluster")
    r.add_argument("--base-model", default=None, help="SD1.5 repo id or local folder (Lightning)")
    r.add_argument("--checkpoint", default=None, help="Lightning .safetensors file or folder")
    r.add_argument("--verify", action="store_true",
                   help="on resume, check each finished file's sha256 (default: its recorded size and time)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_storybench_render)
    g = inner.add_parser(
        "ground-truth",
        help="write the ground-truth files fid_* and SIM compare against (DIR/data/ground_truth/TASK/DATASET/raw/)",
        description="Write StoryBench's ground truth from its preprocessed videos: for each entry the frames its "
        "sentences describe (8 fps, RGB), named fn{index}.npz like a model's files, with the same frames and texts. "
        "fid_* and SIM need the complete set: cover every entry of the task file.",
        epilog="example:\n  storykit storybench ground-truth data/tasks/oops-test/story_cont.json "
        "--videos storybench/npy_96x160pix_8fps --out sbdata",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    g.add_argument("task_file", metavar="TASK_FILE", help="a StoryBench task file, e.g. data/tasks/oops-test/story_gen.json")
    g.add_argument("--videos", required=True, metavar="DIR", help="StoryBench's preprocessed .npy videos (scripts/preprocess_videos.sh)")
    g.add_argument("--out", required=True, metavar="DIR", help="the evaluator's DATA_DIR (files go to DIR/data/ground_truth/...)")
    g.add_argument("--indices", default=None, help="entries to write, e.g. 0-99 (default all: the metrics need all)")
    g.add_argument("--dataset", default=None, help="DATASET folder name (default from the task folder: oops-test → oops_test)")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    g.set_defaults(func=cmd_storybench_ground_truth)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="storykit",
        description="Turn a setting, a character and an action into a short animated story.",
        epilog=f"Start here:\n  {EXAMPLE}\n\nEach command has its own --help.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"storykit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "plan",
        help="turn a triple (or a StoryBench entry) into a multi-scene script",
        description="Plan a story: establish → introduce → the action unfolds → climax → resolution. "
        "Prints the scene table; -o saves the script as JSON for editing and rendering.",
        epilog='example:\n  storykit plan --setting "a neon city at night" --character "a tiny robot" '
        '--action "delivers a cake" --scenes 6 --style anime -o script.json\n'
        "  storykit plan --storybench story_gen.json --index 3",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_story_source(p)
    p.add_argument("-o", "--output", metavar="JSON", help="save the script here")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser(
        "render",
        help="plan, render every scene, stitch and export the story video (the main job)",
        description="Plan (or load) a story, render each scene (cached: re-runs only render what changed), "
        "stitch the clips with transitions and write the video, subtitles and a manifest. "
        "--backend auto uses AnimateDiff-Lightning when its weights are on this machine, "
        "otherwise the offline animatic.",
        epilog=f"example:\n  {EXAMPLE}\n  storykit render --manifest story.manifest.json -o again.mp4",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_story_source(p)
    p.add_argument("--manifest", metavar="JSON", help="re-render the exact story a manifest describes")
    p.add_argument("--allow-version-change", action="store_true",
                   help="replay a --manifest made by another version of its backend (the frames will differ)")
    p.add_argument("-o", "--output", default="story.mp4", metavar="VIDEO", help="output .mp4/.gif/.webm (default story.mp4)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    g = p.add_argument_group("rendering")
    g.add_argument("--backend", default="auto", choices=("auto", "lightning", "animatic"), help="default auto")
    g.add_argument("--steps", type=int, default=None, help="Lightning steps: 1, 2, 3 (2-step model), 4 or 8 (default 4)")
    g.add_argument("--height", type=int, default=None, help="pixels, divisible by 8 (default 512 on GPU/animatic, smaller for Lightning on CPU)")
    g.add_argument("--width", type=int, default=None, help="pixels, divisible by 8")
    g.add_argument("--base-model", default=None, help="SD1.5 repo id or local folder (or STORYKIT_BASE_MODEL)")
    g.add_argument("--checkpoint", default=None, help="Lightning .safetensors file or folder (or STORYKIT_LIGHTNING_CKPT)")
    g.add_argument("--cache-dir", default=None, help="clip cache (default $STORYKIT_CACHE or ~/.cache/storykit/clips)")
    g.add_argument("--no-cache", action="store_true", help="render every scene again")
    g = p.add_argument_group("continuity", "the same character in every scene, and scenes that hand over")
    g.add_argument("--reference", metavar="IMAGE", default=None,
                   help="character image every scene follows (IP-Adapter), or 'auto' to render a portrait first (Lightning)")
    g.add_argument("--ip-adapter-scale", type=float, default=None, help="0-1: how strongly scenes follow the reference (default 0.5)")
    g.add_argument("--ip-adapter", default=None, help="IP-Adapter folder laid out like h94/IP-Adapter, or a hub id (or STORYKIT_IP_ADAPTER)")
    g.add_argument("--handoff", action="store_true", help="start each scene from the previous scene's last frame (Lightning)")
    g.add_argument("--handoff-strength", type=float, default=None, help="(0, 1]: how far a scene may move from that frame (default 0.75)")
    g = p.add_argument_group("output")
    g.add_argument("--fps", type=int, default=None, help="output frame rate, 1-120; 8 fps scenes are interpolated (default 24)")
    g.add_argument("--audio", default=None, help="a WAV/MP3 to lay under the video (trimmed to length; ducked under the narration)")
    g.add_argument("--narrate", default="auto", choices=("auto", "espeak", "kokoro", "mms", "none"),
                   help="who tells the story aloud: auto (default: the most natural voice on this machine for the "
                   "script's language; espeak-ng needs no download), espeak, kokoro, mms, or none for a silent video")
    g.add_argument("--voice", default=None, help="one voice by name, e.g. en-us, ja, ar (espeak), af_heart (Kokoro), "
                   "facebook/mms-tts-spa (MMS); an unknown name lists the voices")
    g.add_argument("--gif", action="store_true", help="also write a GIF beside the video")
    p.set_defaults(func=cmd_render)

    _add_storybench(sub)

    p = sub.add_parser("info", help="show what storykit found: packages, device, ffmpeg, weights, the cache")
    p.add_argument("--device", action="store_true", help="also import torch and name the device and dtype it would use (slower)")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser(
        "cache",
        help="show, prune or clear the clip cache",
        description="The clip cache keeps rendered scenes so re-runs only render what changed. "
        "It holds at most $STORYKIT_CACHE_MAX (default 5GiB) and drops the least recently used clips first.",
        epilog="example:\n  storykit cache info\n  storykit cache prune --max 1GiB\n  storykit cache clear",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=("info", "clear", "prune"), help="info: location and size; prune: down to the cap; clear: delete all")
    p.add_argument("--cache-dir", default=None, help="the cache folder (default $STORYKIT_CACHE or ~/.cache/storykit/clips)")
    p.add_argument("--max", default=None, metavar="SIZE", help="the cap, e.g. 2GiB, 500MB or none (default $STORYKIT_CACHE_MAX or 5GiB)")
    p.set_defaults(func=cmd_cache)

    p = sub.add_parser(
        "studio",
        help="serve the Studio as a web page on this machine (Voilà; no code shown)",
        description="Serve the Studio (plan, edit, render, watch, export) as a web page on 127.0.0.1 for a "
        "workshop, with Voilà: no notebook, no code cells. Prints the address; Ctrl-C stops it.",
        epilog="example:\n  storykit studio\n  storykit studio --port 8900 --backend animatic --output-dir workshop-out",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--backend", default="auto", choices=("auto", "lightning", "animatic"), help="the backend it starts with (default auto)")
    p.add_argument("--output-dir", default="storykit-out", metavar="DIR", help="where Export writes (default storykit-out)")
    p.add_argument("--size", type=int, default=None, help="frame height and width in pixels (default 512, 256 for Lightning on a CPU)")
    p.set_defaults(func=cmd_studio)
    for subparser in sub.choices.values():  # an unknown option shows that command's own help
        subparser.set_defaults(_parser=subparser)
        for action in subparser._subparsers._group_actions if subparser._subparsers else ():
            for inner in action.choices.values():  # storybench render
                inner.set_defaults(_parser=inner)
    return parser


# The library speaks Python (`overwrite=True`, `num_scenes`); on the command line the same
# message names the flag. Whole phrases only, most specific first.
_CLI_WORDS = (
    (r"pass overwrite=True \(--overwrite\)|pass overwrite=True / --overwrite|pass overwrite=True", "pass --overwrite"),
    (r"\boverwrite=True\b", "--overwrite"),
    (r"\bpass checkpoint=(\S+)", r"pass --checkpoint \1"),
    (r"\bpass base_model=(\S+)", r"pass --base-model \1"),
    (r"\bnum_inference_steps=", "--steps "),
    (r"\bnum_inference_steps\b", "--steps"),
    (r"\bnum_scenes\b", "--scenes"),
    (r"^fps must\b", "--fps must"),
    (r"^(height|width) must\b", r"--\1 must"),
    (r"^height and width\b", "--height and --width"),
    (r"\bgot (height|width)=", r"got --\1 "),
)


def cli_words(message: str) -> str:
    """`message` with the library's argument names replaced by the command line's flags."""
    import re

    for pattern, repl in _CLI_WORDS:
        message = re.sub(pattern, repl, message)
    return message


def _short_numbers(message: str) -> str:
    """A 400-digit number echoed back is one line, but not a readable one: show its start and its length."""
    return re.sub(r"\d{25,}", lambda m: f"{m[0][:12]}… ({len(m[0])} digits)", message)


def _one_blas_thread() -> None:
    """OpenBLAS (numpy's and OpenCV's) starts a thread per core at import that spins on the CPU waiting for
    matrix work: 0.2 s of the 1.25 s of CPU a first animatic story costs, which never multiplies a matrix
    with numpy (the models run in torch, on its own threads). One thread for a command, then; not where
    numpy is already loaded (a notebook calling `main`), and never over a value the user set."""
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    _one_blas_thread()
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # e.g. `storykit cache info --bogus`: that command's help, not the top-level usage
        where = getattr(args, "_parser", parser)
        where.print_help(sys.stderr)
        print(f"\n{where.prog}: error: unrecognized arguments: {' '.join(unknown)}", file=sys.stderr)
        return 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except StorykitError as e:  # `.cli`: advice already worded with flags; else the flag names swapped in
        print(f"storykit: error: {_short_numbers(getattr(e, 'cli', None) or cli_words(str(e)))}", file=sys.stderr)
        return 2
    except OSError as e:  # a path the file system refuses (too long, a loop, read-only, full): one line, not a traceback
        where = f" ({_short_numbers(str(e.filename))[:120]!r})" if e.filename else ""
        print(f"storykit: error: {e.strerror or type(e).__name__}{where}; check the paths given", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("storykit: interrupted; finished scenes are kept in the cache, run the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
