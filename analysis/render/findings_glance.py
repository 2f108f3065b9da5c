"""Findings at a glance: the table report.html opens with, one row per finding.

    question | answer (a few words) | effect, 95% CI | verdict | link to the full sentence

Read from the Finding records (analysis/stats/finding_kit.py) as they are: `topic` is the
question; the sentence's first effect ("EFFECT at 2^N (details, 95% CI [lo, hi], p = ...)",
as the finders write it) gives the answer and, with the interval of the same clause, the
effect; the significance gives the verdict word. A finding object with `answer`/`effect`
attributes is shown with those. Where a sentence has no effect in that form (an untested
description) the answer is its first clause, cut to ANSWER_CHARS, and the effect is "-". Every row links to `#finding-<i>`, the
full sentence and its source below the table. Pure: findings in, rows out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ANSWER_CHARS = 60
_CI = re.compile(r"(?:95% )?CI \[([^\]]+)\]")
# "-31.4% per element at 2^14", "2.21x slower at 2^18", "0.625x at 2^10", "+8.0 ns per init
# over stack at n=2^10": the first effect of a sentence.
_EFFECT = re.compile(r"(?<![\w.])(?P<effect>[-+]?\d[\d.,]*(?:%|x| ns)(?: [a-z/]+){0,4}) at (?P<size>(?:n=)?2\^\d+)")
_RELATIVE = re.compile(r"(?<![\w.])[-+]?\d[\d.,]*(?:%|x)(?![\w])")
VERDICT_WORDS = {
    "significant": "yes",
    "not significant": "no clear effect",
    "untested": "not tested",
    "significant at some sizes": "at some sizes",
}


@dataclass(frozen=True)
class GlanceRow:
    question: str
    answer: str
    effect: str        # "-31.4% [-43%, -17%]"; "-" where the finding has no tested effect
    verdict: str       # a word from VERDICT_WORDS (or the significance itself)
    anchor: str        # id of the full sentence below the table


def finding_anchor(index: int) -> str:
    return f"finding-{index + 1}"


def _cut(text: str, limit: int = ANSWER_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:") + "…"


def glance_row(finding, index: int) -> GlanceRow:
    sentence = str(getattr(finding, "sentence", ""))
    match = _EFFECT.search(sentence)
    ci = _CI.search(sentence, match.end()) if match else None
    if ci and ";" in sentence[match.end():ci.start()]:
        ci = None                       # the interval of a later clause, not of this effect
    answer = str(getattr(finding, "answer", "") or "")
    effect = str(getattr(finding, "effect", "") or "")
    if not answer:
        answer = _cut(f"{match['effect']} at {match['size']}" if match else sentence.split(";", 1)[0])
    if not effect:
        # the relative change the interval belongs to: the last one before "95% CI"
        numbers = _RELATIVE.findall(sentence, match.start(), ci.start()) if match and ci else []
        if numbers:
            effect = f"{numbers[-1]} [{ci.group(1)}]"
        else:
            effect = "-"
    significance = str(getattr(finding, "significance", ""))
    return GlanceRow(question=str(getattr(finding, "topic", "")), answer=answer, effect=effect,
                     verdict=VERDICT_WORDS.get(significance, significance),
                     anchor=finding_anchor(index))


def glance_rows(findings) -> list[GlanceRow]:
    return [glance_row(f, i) for i, f in enumerate(findings)]
