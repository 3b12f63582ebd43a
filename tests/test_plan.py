"""The planner: arc, determinism, camera moves, character consistency, CLIP's 77 tokens."""

import pytest

from storykit import STYLES, InvalidInput, plan
from storykit.plan import CAMERA_MOVES
from storykit.plan import MAX_TOKENS, count_tokens
from storykit.plan.tokens import clip_tokenizer

FOX = ("a misty bamboo forest at dawn", "a small red fox in a blue scarf", "searches for a lost lantern")


def test_same_seed_same_script_other_seed_other_script():
    a, b = plan(*FOX, seed=1), plan(*FOX, seed=1)
    assert a == b
    others = [plan(*FOX, seed=s) for s in range(2, 8)]
    assert any([s.camera for s in o.scenes] != [s.camera for s in a.scenes] for o in others)
    assert all([s.seed for s in o.scenes] != [s.seed for s in a.scenes] for o in others)
    for o in others:  # still a sensible story: same arc, character everywhere
        assert [s.beat for s in o.scenes] == [s.beat for s in a.scenes]


@pytest.mark.parametrize("n", range(3, 9))
def test_arc_shape_and_scene_count(n):
    script = plan(*FOX, num_scenes=n)
    beats = [s.beat for s in script.scenes]
    assert len(beats) == n
    assert beats[-2:] == ["climax", "resolution"]
    assert beats[0] == ("introduce" if n == 3 else "establish")
    assert all(s.camera in CAMERA_MOVES for s in script.scenes)
    assert len({s.seed for s in script.scenes}) == n
    assert script.scenes[-1].transition == "fade_black"
    assert [s.index for s in script.scenes] == list(range(n))


def test_camera_suits_the_beat():
    for seed in range(20):
        script = plan(*FOX, seed=seed)
        cams = {s.beat: s.camera for s in script.scenes}
        assert cams["climax"] in ("zoom_in", "tilt_up")  # push in at the decisive moment
        assert cams["establish"] in ("pan_right", "pan_left", "tilt_down", "zoom_out")  # reveal the world


@pytest.mark.parametrize("style", list(STYLES))
def test_character_and_style_in_every_prompt(style):
    script = plan(*FOX, style=style)
    for s in script.scenes:
        assert s.prompt.startswith("a small red fox in a blue scarf, searches for a lost lantern")
        assert STYLES[style].suffix in s.prompt
        assert s.negative_prompt == STYLES[style].negative


def test_every_prompt_fits_77_clip_tokens():
    tok = clip_tokenizer()
    assert len(tok) == 49408  # the real CLIP vocabulary, built offline
    script = plan(*FOX, num_scenes=8)
    for s in script.scenes:
        ids = tok(s.prompt)["input_ids"]
        assert len(ids) <= MAX_TOKENS
    assert script.notes == []  # nothing had to be shortened


def test_long_input_is_shortened_keeping_character_and_action():
    tok = clip_tokenizer()
    setting = "an enormous ancient overgrown temple ruin deep in a rainforest with waterfalls, " * 3
    character = "a tall knight in dented silver armour with a crimson cape and a feathered helmet"
    action = "carefully climbs the crumbling stone stairs toward the glowing altar"
    script = plan(setting.strip()[:300], character, action, num_scenes=6)
    assert script.notes and all("77 tokens" in n for n in script.notes if "prompt" in n)
    for s in script.scenes:
        ids = tok(s.prompt, truncation=True, max_length=MAX_TOKENS)["input_ids"]
        seen = tok.decode(ids, skip_special_tokens=True)  # what the text encoder actually reads
        assert "crimson cape and a feathered helmet" in seen
        assert "toward the glowing altar" in seen
        assert count_tokens(s.prompt) <= MAX_TOKENS - 2


@pytest.mark.parametrize("content", [74, 75, 76, 77])
def test_the_clip_budget_is_75_content_tokens_plus_start_and_end(content):
    from storykit.plan import fit_prompt

    # "a fox, runs, red red ... red": a, fox, ",", runs, "," are 5 tokens and each "red" one more.
    reds = content - 5
    parts = [("character", "a fox"), ("action", "runs"), ("background", " ".join(["red"] * reds))]
    joined = ", ".join(text for _, text in parts)
    ids = clip_tokenizer()(joined)["input_ids"]
    assert len(ids) == content + 2 and ids[0] == clip_tokenizer().bos_token_id  # the hand count holds
    prompt, changed = fit_prompt(parts)
    if content + 2 <= 77:  # <start> + content + <end> fits CLIP's 77 positions: the prompt is left alone
        assert (prompt, changed) == (joined, [])
    else:  # one over or two over: the background loses exactly what does not fit, to 75 content tokens
        assert prompt == "a fox, runs, " + " ".join(["red"] * 70), prompt
        assert len(clip_tokenizer()(prompt)["input_ids"]) == 77
        assert len(changed) == 1 and changed[0].startswith("background shortened")


def test_character_plus_action_too_long_is_refused():
    dense = " ".join(f"qz{i}x" for i in range(60))[:290]  # ~4 CLIP tokens per word
    assert count_tokens(dense) > 75
    with pytest.raises(InvalidInput, match="CLIP tokens"):
        plan("a forest", f"a fox {dense}", "runs around the old oak tree in circles")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_scenes": 2}, "num_scenes"),
        ({"num_scenes": 9}, "num_scenes"),
        ({"num_scenes": "5"}, "num_scenes"),
        ({"style": "vaporwave"}, "unknown style"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_plan_arguments(kwargs, match):
    with pytest.raises(InvalidInput, match=match):
        plan(*FOX, **kwargs)


def test_count_tokens_matches_clip_ids():
    tok = clip_tokenizer()
    ids = tok("a small red fox in a blue scarf")["input_ids"]
    assert ids[0] == 49406 and ids[-1] == 49407  # <|startoftext|>, <|endoftext|>
    assert count_tokens("a small red fox in a blue scarf") == len(ids) - 2


def _tricky_strings() -> list[str]:
    import random

    fixed = [
        "a small red fox in a blue scarf", "Hello, WORLD!!  it's   a test's", "東京の夜、小さな狐が走る",
        "🦊🌲✨ fox 👍🏽", "naïve café Ωmega 123 4567", "<|endoftext|> inside text <|startoftext|>",
        "tab\tnew\nline", "", "   ", "x" * 400, "l'été d'amour, ¿qué?", "مرحبا بالعالم",
        "Straße ﬁ ＡＢＣ１２３", "e\u0301 combining", "don't won't they'll I'm we've you're he'd",
        "...!!!???---", "3.14159 1,000,000", "an enormous ancient overgrown temple ruin " * 12,
    ]
    rng = random.Random(0)
    alphabet = [chr(c) for c in [*range(32, 127), *range(0x4E00, 0x4E40), *range(0x1F600, 0x1F610),
                                 0xE9, 0x301, 0xA0, 0x3000, 0x200B, 0x5D0, 0x627]]
    return fixed + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200))) for _ in range(300)]


def test_clip_tokenizer_gives_transformers_ids(tmp_path):
    # storykit counts tokens without transformers; the ids must be exactly CLIPTokenizer's
    transformers = pytest.importorskip("transformers")
    from storykit.plan.tokens import write_clip_vocab

    ref = transformers.CLIPTokenizer.from_pretrained(str(write_clip_vocab(tmp_path)))
    tok = clip_tokenizer()
    assert len(tok) == len(ref) == 49408
    for s in _tricky_strings():
        ids = ref(s, add_special_tokens=False, truncation=False)["input_ids"]
        assert tok(s, add_special_tokens=False)["input_ids"] == ids, s
        assert tok(s)["input_ids"] == ref(s)["input_ids"], s
        assert tok(s, truncation=True, max_length=77)["input_ids"] == ref(s, truncation=True, max_length=77)["input_ids"], s
        assert tok.decode(ids, skip_special_tokens=True) == ref.decode(ids, skip_special_tokens=True), s
        assert count_tokens(s) == len(ids)


def test_planning_does_not_import_transformers_or_torch():
    import subprocess
    import sys

    code = ("import sys, storykit; storykit.plan('a forest', 'a fox', 'runs'); "
            "print(sorted(m for m in ('transformers', 'torch', 'mediapy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
