"""The `storykit` command line (also `python -m storykit`).

    storykit plan   --setting ... --character ... --action ... [-o script.json]
    storykit render --setting ... --character ... --action ... -o story.mp4
    storykit info [--device]
    storykit cache info|clear|prune [--max 2GiB]

Errors a user can cause print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._version import __version__
from .errors import InvalidInput, StorykitError

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
    g.add_argument("--index", type=int, default=0, help="which entry of the StoryBench file (default 0)")
    g = p.add_argument_group("planning")
    g.add_argument("--scenes", type=int, default=5, help="number of scenes, 3-8 (default 5)")
    g.add_argument("--style", default="cinematic", help="cinematic, anime, watercolor, claymation, storybook, pixel")
    g.add_argument("--seed", type=int, default=0, help="story seed: same seed, same story (default 0)")
    g.add_argument("--frames", type=int, default=16, help="frames per scene at 8 fps (default 16: Lightning's clip length)")


def _script_from_args(args):
    from .plan.planner import plan
    from .plan.script import Script
    from .plan.storybench import script_from_storybench

    sources = [bool(args.script), bool(args.storybench), any(v is not None for v in (args.setting, args.character, args.action))]
    if sum(sources) != 1:
        raise InvalidInput("give exactly one story: --setting/--character/--action, or --script FILE, or --storybench FILE")
    if args.script:
        return Script.load(args.script)
    if args.storybench:
        return script_from_storybench(args.storybench, args.index, style=args.style, seed=args.seed)
    missing = [n for n in ("setting", "character", "action") if getattr(args, n) is None]
    if missing:
        raise InvalidInput(f"missing --{', --'.join(missing)}; a story needs a setting, a character and an action")
    return plan(args.setting, args.character, args.action, num_scenes=args.scenes, style=args.style, seed=args.seed, num_frames=args.frames)


def cmd_plan(args) -> int:
    script = _script_from_args(args)
    print(script.table())
    if args.output:
        out = Path(args.output)
        if out.exists() and not args.overwrite:
            raise InvalidInput(f"{str(out)!r} exists; pass --overwrite to replace it")
        print(f"\nwrote {script.save(out)}")
    return 0


def cmd_render(args) -> int:
    from .story import make_story

    result = make_story(
        None if args.manifest else _script_from_args(args),
        manifest=args.manifest,
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
    )
    print(result.summary())
    return 0


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
    p.add_argument("-o", "--output", default="story.mp4", metavar="VIDEO", help="output .mp4/.gif/.webm (default story.mp4)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    g = p.add_argument_group("rendering")
    g.add_argument("--backend", default="auto", choices=("auto", "lightning", "animatic"), help="default auto")
    g.add_argument("--steps", type=int, default=4, help="Lightning steps: 1, 2, 3 (2-step model), 4 or 8 (default 4)")
    g.add_argument("--height", type=int, default=None, help="pixels, divisible by 8 (default 512 on GPU/animatic, smaller for Lightning on CPU)")
    g.add_argument("--width", type=int, default=None, help="pixels, divisible by 8")
    g.add_argument("--base-model", default=None, help="SD1.5 repo id or local folder (or STORYKIT_BASE_MODEL)")
    g.add_argument("--checkpoint", default=None, help="Lightning .safetensors file or folder (or STORYKIT_LIGHTNING_CKPT)")
    g.add_argument("--cache-dir", default=None, help="clip cache (default $STORYKIT_CACHE or ~/.cache/storykit/clips)")
    g.add_argument("--no-cache", action="store_true", help="render every scene again")
    g = p.add_argument_group("output")
    g.add_argument("--fps", type=int, default=24, help="output frame rate; 8 fps scenes are interpolated (default 24)")
    g.add_argument("--audio", default=None, help="a WAV/MP3 to lay under the video (trimmed to length)")
    g.add_argument("--gif", action="store_true", help="also write a GIF beside the video")
    p.set_defaults(func=cmd_render)

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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except StorykitError as e:
        print(f"storykit: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("storykit: interrupted; finished scenes are kept in the cache, run the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
