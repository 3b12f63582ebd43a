"""The Studio's edit loop, timed: Plan → Render all → Export → edit one prompt → Render this scene → Export.

    python bench/bench_studio_loop.py [--repeats 3] [--size 512]

Runs the Studio headless (its plain callbacks, as the tests do) on the animatic, with a
fresh clip cache per repeat, and prints each step's wall and CPU seconds (this
process plus its ffmpeg children), medians over repeats. The rows that matter:
"Render this scene" (the edited scene drawn, the story stitched and previewed) against
"Render all", and the Export after the edit (the updated story file ready: only the
edited scene's segments are encoded) against the first Export.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path


def clock() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--size", type=int, default=512)
    args = ap.parse_args()

    from storykit.studio.widgets import Studio

    steps: dict[str, list[tuple[float, float]]] = {}
    scratch = tempfile.TemporaryDirectory(prefix="storykit-studio-bench-")  # removed at the end: MBs per repeat
    for rep in range(args.repeats):
        work = Path(scratch.name) / f"repeat{rep}"
        work.mkdir()
        studio = Studio(backend="animatic", cache_dir=work / "cache", output_dir=work / "out",
                        height=args.size, width=args.size)

        def step(name, fn, *a, **k):
            w0, c0 = clock()
            out = fn(*a, **k)
            w1, c1 = clock()
            steps.setdefault(name, []).append((w1 - w0, c1 - c0))
            return out

        step("Plan", studio.plan)
        step("Render all", studio.render_all)
        step("Export (first)", studio.export, gif=False)
        studio.rows[2]["prompt"].value += ", at night"  # edit one prompt, as a user types it
        step("Render this scene (edited)", studio.render_scene, 2)
        assert studio.last_rendered == [2], studio.last_rendered
        step("Export (after the edit)", studio.export, gif=False)
        seg = studio.last_export.timings
        steps.setdefault("segments encoded/reused after the edit", []).append(
            (seg.get("segments_encoded", -1), seg.get("segments_reused", -1)))
        # The other way to the same place: edit, then Render all (the other scenes come from the cache,
        # and so should their previews), Export, and Export again with nothing changed.
        studio.rows[3]["prompt"].value += ", in the rain"
        encoded = studio.previews.encoded if hasattr(studio, "previews") else None
        step("Render all (one prompt edited)", studio.render_all)
        assert studio.last_rendered == [3], studio.last_rendered
        if encoded is not None:
            steps.setdefault("previews encoded by that Render all", []).append((studio.previews.encoded - encoded, 0))
        step("Export (after that Render all)", studio.export, gif=False)
        step("Export again (nothing changed)", studio.export, gif=False)

    scratch.cleanup()
    print(f"Studio edit loop, animatic {args.size}x{args.size}, 5 scenes, medians of {args.repeats}")
    for name, xs in steps.items():
        a, b = statistics.median(x[0] for x in xs), statistics.median(x[1] for x in xs)
        if name.startswith("segments"):
            print(f"{name:<40} {a:.0f} / {b:.0f}")
        elif name.startswith("previews"):
            print(f"{name:<40} {a:.0f}")
        else:
            print(f"{name:<40} {a:6.2f} s wall {b:6.2f} s CPU")
    ra = statistics.median(x[1] for x in steps["Render all"])
    rs = statistics.median(x[1] for x in steps["Render this scene (edited)"])
    e1 = statistics.median(x[1] for x in steps["Export (first)"])
    e2 = statistics.median(x[1] for x in steps["Export (after the edit)"])
    print(f"Render this scene ÷ Render all (CPU): {rs / ra:.2f}")
    print(f"Export after the edit ÷ first Export (CPU): {e2 / e1:.2f}")
    print(f"edit → updated story file ready (Render this scene + Export) ÷ Render all + Export: "
          f"{(rs + e2) / (ra + e1):.2f}")
    ra1 = statistics.median(x[1] for x in steps["Render all (one prompt edited)"])
    e3 = statistics.median(x[1] for x in steps["Export again (nothing changed)"])
    print(f"Render all with one prompt edited ÷ Render all (CPU): {ra1 / ra:.2f}")
    print(f"Export with nothing changed ÷ first Export (CPU): {e3 / e1:.2f}")


if __name__ == "__main__":
    main()
