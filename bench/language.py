"""Language detection on tests/data/language_eval.tsv: accuracy, confusions, memory, latency.

Runs bot.language.detect_language over every text of the evaluation set and prints, per
language, how many answers were right and certain, wrong but certain (the dangerous case:
the bot would act on them) and uncertain; the most frequent confusions; a threshold sweep;
the detector's memory and per-text latency. Then, for comparison only, lingua with all its
languages in high-accuracy mode, in a subprocess so its memory stays out of the figures.
Writes everything to bench/results/language-<timestamp>.json.

    .venv/bin/python bench/language.py [--quick] [--threshold T] [--detector FILE]

--quick skips the all-languages comparison; --detector FILE evaluates a copy of
bot/language/detect.py (a candidate change) instead of the real one.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.languages import speaks  # noqa: E402

EVAL_FILE = ROOT / "tests" / "data" / "language_eval.tsv"
RESULTS = ROOT / "bench" / "results"
LATENCY_ROUNDS = 5

# Languages the detector can answer with certainty, and how: lingua's models, script rules
# (Hangul, Han, letters particular to Arabic, Pashto or Persian, S'gaw Karen letters), the
# Kreyòl word list. The others are left to a guess that never counts as certain (Ge'ez:
# Amharic or Tigrinya; Devanagari: Nepali or Hindi; Myanmar without Karen letters) or are
# not detected at all (Cape Verdean Creole, Swahili, Kinyarwanda, Tagalog, Hmong).
CLAIMED = ("en", "es", "ht", "pt-BR", "vi", "zh-Hans", "zh-Hant", "ar", "so", "fr", "ru",
           "uk", "prs", "ps", "ksw", "ko")
# An answer that is right although speaks() says otherwise: Dari is the Afghan standard of
# Persian (macrolanguage fa), and no offline model tells Dari from Iranian Persian text.
ALSO_RIGHT = {"prs": {"fa"}}


@dataclass(frozen=True)
class Row:
    language: str  # the BCP 47 tag the text was written in
    text: str


@dataclass(frozen=True)
class Outcome:
    row: Row
    language: str | None  # what the detector answered
    confidence: float
    certain: bool

    @property
    def right(self) -> bool:
        return is_right(self.row.language, self.language)


def load_eval(path: Path = EVAL_FILE) -> list[Row]:
    """Read `language<TAB>text` lines, skipping blank lines and # comments."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            language, sep, text = line.partition("\t")
            if not sep or not text.strip():
                raise ValueError(f"{path.name}:{number}: expected language<TAB>text")
            rows.append(Row(language, text))
    return rows


def is_right(expected: str, answer: str | None) -> bool:
    """Tell whether answer names the expected language (pt for pt-BR, zh for zh-Hans)."""
    if answer is None:
        return False
    return answer in ALSO_RIGHT.get(expected, ()) or speaks([expected], answer)


def evaluate(detect: Callable, rows: Iterable[Row], threshold: float) -> list[Outcome]:
    """Run detect over every row."""
    outcomes = []
    for row in rows:
        d = detect(row.text, threshold=threshold)
        outcomes.append(Outcome(row, d.language, d.confidence, d.certain))
    return outcomes


def per_language(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Count, right and certain, wrong but certain, uncertain, accuracy, per language."""
    table: dict[str, dict[str, float]] = {}
    for o in outcomes:
        t = table.setdefault(o.row.language, {"count": 0, "right_certain": 0,
                                              "wrong_certain": 0, "uncertain": 0,
                                              "right_guess": 0})
        t["count"] += 1
        t["right_guess"] += o.right  # the top answer, certain or not
        if not o.certain:
            t["uncertain"] += 1
        elif o.right:
            t["right_certain"] += 1
        else:
            t["wrong_certain"] += 1
    for t in table.values():
        t["accuracy"] = round(t["right_certain"] / t["count"], 3)
    return table


def confusions(outcomes: list[Outcome]) -> list[dict[str, object]]:
    """Wrong answers by (expected, answered), with how many of them were certain."""
    every: Counter[tuple[str, str]] = Counter()
    certain: Counter[tuple[str, str]] = Counter()
    for o in outcomes:
        if o.language is not None and not o.right:
            every[(o.row.language, o.language)] += 1
            certain[(o.row.language, o.language)] += o.certain
    pairs = sorted(every, key=lambda p: (-certain[p], -every[p], p))
    return [{"expected": e, "answered": a, "certain": certain[(e, a)], "all": every[(e, a)]}
            for e, a in pairs]


def sweep(outcomes: list[Outcome]) -> list[dict[str, float]]:
    """Right and wrong certain answers had the threshold been elsewhere."""
    out = []
    for threshold in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99):
        above = [o for o in outcomes if o.language is not None and o.confidence >= threshold]
        out.append({"threshold": threshold, "right_certain": sum(o.right for o in above),
                    "wrong_certain": sum(not o.right for o in above)})
    return out


def rss_kb() -> dict[str, int]:
    """Resident memory now and at its peak, in KiB, from /proc (ru_maxrss elsewhere)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {"rss": peak, "peak": peak}
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {"rss": int(fields["VmRSS"].split()[0]), "peak": int(fields["VmHWM"].split()[0])}


def latency(detect: Callable, texts: list[str], threshold: float) -> dict[str, float]:
    """Time every text LATENCY_ROUNDS times, after one warm-up pass; milliseconds."""
    for text in texts:
        detect(text, threshold=threshold)
    times = []
    for _ in range(LATENCY_ROUNDS):
        for text in texts:
            start = time.perf_counter()
            detect(text, threshold=threshold)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 3),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 3),
            "mean_ms": round(statistics.fmean(times), 3), "max_ms": round(times[-1], 3),
            "samples": len(times)}


def load_detector(path: Path | None) -> ModuleType:
    """Import bot.language.detect, or a copy of it at path."""
    if path is None:
        import bot.language.detect as module
        return module
    spec = importlib.util.spec_from_file_location("candidate_detect", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def lingua_config(module: ModuleType) -> dict[str, object]:
    """Describe the lingua detector the module builds (its languages and mode)."""
    languages = getattr(module, "_LINGUA_LANGUAGES", ())
    build = inspect.getsource(module._lingua) if hasattr(module, "_lingua") else ""
    return {"languages": sorted(lang.name.lower() for lang in languages),
            "mode": "low accuracy" if "with_low_accuracy_mode" in build else "high accuracy",
            "preloaded": "with_preloaded_language_models" in build,
            "certain_at_default": getattr(module, "CERTAIN_AT", None)}


def measure_puente(args: argparse.Namespace, rows: list[Row]) -> dict[str, object]:
    """Memory, accuracy and latency of Puente's detector in this process."""
    start = rss_kb()
    module = load_detector(args.detector)
    imported = rss_kb()
    if args.threshold is None:
        args.threshold = module.CERTAIN_AT
    module.detect_language("Is there school tomorrow?")  # builds the lingua model
    built = rss_kb()
    outcomes = evaluate(module.detect_language, rows, args.threshold)
    figures = latency(module.detect_language, [r.text for r in rows], args.threshold)
    end = rss_kb()
    memory = {"start_kib": start["rss"], "after_import_kib": imported["rss"],
              "after_build_kib": built["rss"], "after_run_kib": end["rss"],
              "peak_kib": end["peak"], "model_kib": built["rss"] - imported["rss"],
              "import_kib": imported["rss"] - start["rss"]}
    return {"detector": str(args.detector or "bot/language/detect.py"),
            "config": lingua_config(module), "threshold": args.threshold,
            "memory": memory, "latency": figures, "outcomes": outcomes}


def summarize(outcomes: list[Outcome]) -> dict[str, object]:
    table = per_language(outcomes)
    claimed = [o for o in outcomes if o.row.language in CLAIMED]
    wrong = sum(t["wrong_certain"] for t in table.values())
    return {
        "per_language": table, "confusions": confusions(outcomes), "sweep": sweep(outcomes),
        "overall": {
            "texts": len(outcomes), "languages": len(table),
            "right_certain": sum(t["right_certain"] for t in table.values()),
            "wrong_certain": wrong, "wrong_certain_share": round(wrong / len(outcomes), 4),
            "uncertain": sum(t["uncertain"] for t in table.values()),
            "claimed_texts": len(claimed),
            "claimed_accuracy": round(sum(o.certain and o.right for o in claimed)
                                      / max(len(claimed), 1), 3),
        },
        "wrong_certain_texts": [
            {"expected": o.row.language, "answered": o.language, "confidence": o.confidence,
             "text": o.row.text} for o in outcomes if o.certain and not o.right],
    }


def lingua_all_languages(threshold: float, eval_file: Path) -> dict[str, object]:
    """Run in the subprocess: lingua alone, every language, high accuracy, same set."""
    from lingua import LanguageDetectorBuilder

    start = rss_kb()
    began = time.perf_counter()
    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models() \
        .build()
    build_seconds = time.perf_counter() - began
    built = rss_kb()

    def detect(text: str, *, threshold: float) -> _Answer:
        values = detector.compute_language_confidence_values(text)
        if not values or values[0].value <= 0:
            return _Answer(None, 0.0, False)
        top = values[0]
        return _Answer(top.language.iso_code_639_1.name.lower(), round(top.value, 3),
                       top.value >= threshold)

    rows = load_eval(eval_file)
    summary = summarize(evaluate(detect, rows, threshold))
    figures = latency(detect, [r.text for r in rows], threshold)
    end = rss_kb()
    return {"config": {"languages": "all 75", "mode": "high accuracy", "preloaded": True},
            "build_seconds": round(build_seconds, 1),
            "memory": {"start_kib": start["rss"], "after_build_kib": built["rss"],
                       "model_kib": built["rss"] - start["rss"], "peak_kib": end["peak"]},
            "latency": figures, **summary}


@dataclass(frozen=True)
class _Answer:
    language: str | None
    confidence: float
    certain: bool


def run_lingua_all(threshold: float, eval_file: Path) -> dict[str, object] | None:
    """Start this script as a subprocess that measures lingua with every language."""
    command = [sys.executable, str(Path(__file__).resolve()), "--lingua-all",
               "--threshold", str(threshold), "--eval", str(eval_file)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        print(f"lingua (all languages) failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout)


def report(title: str, summary: dict, memory: dict | None, figures: dict | None) -> None:
    print(f"\n== {title}")
    print(f"{'language':9} {'texts':>5} {'right':>6} {'WRONG':>6} {'unsure':>6} "
          f"{'accuracy':>8} {'guess ok':>8}  claimed by Puente")
    table = summary["per_language"]
    for language in sorted(table, key=lambda lang: (lang not in CLAIMED, lang)):
        t = table[language]
        print(f"{language:9} {t['count']:5} {t['right_certain']:6} {t['wrong_certain']:6} "
              f"{t['uncertain']:6} {t['accuracy']:8.1%} {t['right_guess'] / t['count']:8.1%}"
              f"  {'yes' if language in CLAIMED else 'no'}")
    o = summary["overall"]
    print(f"overall: {o['texts']} texts in {o['languages']} languages; right and certain "
          f"{o['right_certain']}, WRONG but certain {o['wrong_certain']} "
          f"({o['wrong_certain_share']:.1%}), uncertain {o['uncertain']}; accuracy on the "
          f"{o['claimed_texts']} texts of claimed languages {o['claimed_accuracy']:.1%}")
    pairs = summary["confusions"][:12]
    print("confusions (expected -> answered: certain / all guesses): " + ", ".join(
        f"{p['expected']}->{p['answered']} {p['certain']}/{p['all']}" for p in pairs))
    print("threshold sweep (right/wrong certain): " + ", ".join(
        f"{s['threshold']}: {s['right_certain']}/{s['wrong_certain']}"
        for s in summary["sweep"]))
    if memory:
        print("memory: " + ", ".join(f"{k} {v / 1024:.1f} MiB" for k, v in memory.items()))
    if figures:
        print(f"latency per text: median {figures['median_ms']:.3f} ms, p99 "
              f"{figures['p99_ms']:.3f} ms, max {figures['max_ms']:.3f} ms "
              f"({figures['samples']} timings)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="skip lingua with all languages (a minute and over 1 GB)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="confidence that counts as certain (default: CERTAIN_AT)")
    parser.add_argument("--detector", type=Path, help="a copy of detect.py to evaluate")
    parser.add_argument("--eval", type=Path, default=EVAL_FILE, dest="eval_file",
                        help="another language<TAB>text file (default: %(default)s)")
    parser.add_argument("--lingua-all", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.lingua_all:
        args.threshold = 0.8 if args.threshold is None else args.threshold
        json.dump(lingua_all_languages(args.threshold, args.eval_file), sys.stdout,
                  ensure_ascii=False)
        return 0

    rows = load_eval(args.eval_file)
    measured = measure_puente(args, rows)
    summary = summarize(measured.pop("outcomes"))
    shown = args.eval_file.resolve()
    shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    print(f"{len(rows)} texts from {shown}; detector "
          f"{measured['detector']}; lingua {measured['config']}; threshold {args.threshold}")
    report("Puente's detector", summary, measured["memory"], measured["latency"])
    for w in summary["wrong_certain_texts"]:
        print(f"  WRONG {w['expected']:>7} -> {w['answered']:7} {w['confidence']:.2f}  "
              f"{w['text']}")

    comparison = None
    if not args.quick:
        print("\nmeasuring lingua with all languages, high accuracy, in a subprocess…",
              flush=True)
        comparison = run_lingua_all(args.threshold, args.eval_file)
        if comparison is not None:
            report(f"for comparison: lingua alone, {comparison['config']['languages']} "
                   f"languages, {comparison['config']['mode']} (built in "
                   f"{comparison['build_seconds']} s)", comparison, comparison["memory"],
                   comparison["latency"])

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"language-{stamp}.json"
    path.write_text(json.dumps({
        "when": stamp, "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                   "platform": platform.platform()},
        "eval_file": str(shown), "puente": {**measured, **summary},
        "lingua_all_languages": comparison,
    }, ensure_ascii=False, indent=2, default=_jsonable))
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


def _jsonable(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)  # type: ignore[call-overload]
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


if __name__ == "__main__":
    sys.exit(main())
