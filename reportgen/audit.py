"""Self-audit of the rendered text: every number must come from the data.

A wording pack is edited by people, so a figure can be typed into a template by hand
("完成预算100%"), or a template can print a stale value. After rendering, every number
in every heading and paragraph is looked up among the renderings of the figures the
templates were given (amounts as 万元, fractions as percentages, counts, years) and the
numbers inside user-supplied text. A number found nowhere fails the build, naming the
template file and the sentence.

Some numbers are part of the fixed wording and are not figures: figure and table
numbers (图3, 公开05表), list numbering (1. / （2）), the phrases a pack declares in
its ``audit_literals`` setting (e.g. "12月31日", "单价50万元以上"), and the constants a
pack declares for a rule its wording states — the 绩效自评 grade thresholds and full
marks ("90分及以上为优"; ``evaluation_grades`` in pack.toml). A template prints those from
the declaration, which reaches the context as an object with a ``wording_phrases()``
method (:class:`reportgen.evaluation.ScoringRules`): its phrases ("90分") are blanked
like literals, and its numbers are never counted as figures, so a sentence elsewhere
cannot borrow them ("完成预算90%" still fails) and a unit whose data holds no 80 builds.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache

from .money import fmt_percent, fmt_wan, round_half_up
from .narrative import TemplateProblem

_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")
#: numbers that label things rather than state figures
_LABELS = re.compile(
    r"图\s*\d+|公开\d+表|附表\d+|第\d+|^\s*\d+[.．、]|（\d+）|\(\d+\)|[A-Za-z]+\d+"
)


class AuditFailure(TemplateProblem):
    """A number in the text that no figure explains; the message names file and sentence."""


def traceable_numbers(context: object, decimals: int) -> set[str]:
    """Every way a value in ``context`` may be printed by a template (declared wording
    constants excluded: they are not figures)."""
    out: set[str] = set()
    for value in _walk(context):
        if isinstance(value, bool):
            continue
        if isinstance(value, Decimal):
            out.update(_renderings(value, decimals))
        elif isinstance(value, int):
            out.add(str(value))
            out.add(str(abs(value)))
        elif isinstance(value, str):
            out.update(_NUMBER.findall(value.replace(",", "")))
    return out


def texts_with_numbers(context: object) -> list[str]:
    """User text in ``context`` holding a digit next to other characters ("5G网络",
    a project typed as "5,26"), and the pack's wording constants ("90分"), longest first.
    The audit blanks these out of a sentence before reading its numbers: a name printed
    right before a figure ("5,26" + "90.00分") must not fuse with it into a number nobody
    computed ("2690.00"), and a constant of the wording is no figure."""
    wording: list[str] = []
    found = {
        v.strip()
        for v in _walk(context, wording=wording)
        if isinstance(v, str) and _HAS_DIGIT.search(v) and _HAS_OTHER.search(v)
    }
    found.update(WordingPhrase(w) for w in wording if _HAS_DIGIT.search(w))
    return sorted((t for t in found if len(t) >= 2), key=len, reverse=True)


class WordingPhrase(str):
    """A constant of the pack's wording ("90分"): blanked only as a whole number."""

    __slots__ = ()


_HAS_DIGIT = re.compile(r"\d")
_HAS_OTHER = re.compile(r"[^\d.\s]")


def _renderings(value: Decimal, decimals: int) -> set[str]:
    value = abs(value)  # signs are words in the text (增加/减少)
    forms = {
        fmt_wan(value),  # an amount in 元 printed in 万元
        fmt_percent(value, decimals),  # a fraction printed as a percentage
        f"{round_half_up(value, decimals):.{decimals}f}",  # a percentage printed as is
        f"{round_half_up(value, 2):.2f}",  # a score or an amount already in 万元
    }
    if value == value.to_integral_value():
        forms.add(str(int(value)))
    return forms


def _walk(
    value: object,
    seen: set[int] | None = None,
    depth: int = 0,
    wording: list[str] | None = None,
) -> Iterable[object]:
    """Every scalar inside dataclasses, dicts, lists and tuples (cycles and depth bounded).

    An object with a ``wording_phrases()`` method holds constants of the wording, not
    figures: it is not entered; its phrases go to ``wording`` when that is given."""
    seen = set() if seen is None else seen
    if depth > 12 or id(value) in seen:
        return
    if isinstance(value, (str, int, Decimal)):
        yield value
        return
    seen.add(id(value))
    phrases = getattr(value, "wording_phrases", None)
    if callable(phrases):
        if wording is not None:
            wording.extend(str(p) for p in phrases())
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # fields, then properties such as Change.rate (what templates print most)
        children = [getattr(value, name) for name in _attributes(type(value))]
    elif isinstance(value, dict):
        children = list(value.keys()) + list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        children = value
    else:
        return
    for child in children:
        yield from _walk(child, seen, depth + 1, wording)


@cache
def _attributes(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, then its property names: looked up once per class (a
    document's context holds some ten thousand dataclass instances)."""
    fields = tuple(f.name for f in dataclasses.fields(cls))
    return fields + tuple(n for n in dir(cls) if isinstance(getattr(cls, n, None), property))


def _blank(text: str, phrase: str) -> str:
    """``text`` with ``phrase`` replaced by a space. User text goes wherever it occurs
    (it may touch a figure: "5,26" + "90.00分"); a :class:`WordingPhrase` only as a whole
    number: "90分" is blanked in "90分及以上", not inside "88.90分" (which is a figure)."""
    if not isinstance(phrase, WordingPhrase):
        return text.replace(phrase, " ") if phrase else text
    head = r"(?<![\d.])" if phrase[0].isdigit() else ""
    tail = r"(?!\.?\d)" if phrase[-1].isdigit() else ""
    return re.sub(head + re.escape(phrase) + tail, " ", text)


def audit_blocks(
    blocks, allowed: set[str], literals: Iterable[str] = (), user_texts: Iterable[str] = ()
) -> None:
    """Raise :class:`AuditFailure` listing each sentence whose numbers are not traceable.

    ``user_texts`` (from :func:`texts_with_numbers`) are blanked out first: their
    numbers are the user's, and they must not fuse with a neighbouring figure."""
    problems = []
    phrases = [*literals, *user_texts]
    for b in blocks:
        if b.kind not in ("heading", "para") or not b.text:
            continue
        text = b.text
        for lit in phrases:
            if lit and lit in text:  # (a phrase absent from the text changes nothing)
                text = _blank(text, lit)
        text = _LABELS.sub(" ", text)
        stray = [n for n in _NUMBER.findall(text) if n not in allowed]
        if stray:
            problems.append(
                f"{getattr(b, 'source', '') or '模板'}：“{b.text}”中的 {'、'.join(stray)} "
                "不是由数据计算得到的数字"
            )
    if problems:
        raise AuditFailure(
            "文字自检未通过（模板中可能写入了固定数字或过期数字）：\n" + "\n".join(problems)
        )
