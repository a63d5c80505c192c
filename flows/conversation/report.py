"""Reports of an assessment: per phase, how ready (yes/partly/no/don't know), the gaps with what
to do about them, and the person's notes; rendered as Markdown, HTML or JSON."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from flows.conversation.answers import describe, local
from flows.conversation.definitions import RATING_VALUES, Flow, MessageStep, RatingStep
from flows.conversation.phrases import say
from flows.conversation.state import Answer

GAP_VALUES = ("no", "dont_know")


@dataclass(frozen=True)
class Counts:
    yes: int = 0
    partly: int = 0
    no: int = 0
    dont_know: int = 0

    @property
    def rated(self) -> int:
        return self.yes + self.partly + self.no + self.dont_know

    @property
    def readiness(self) -> int | None:
        """Percent ready: a yes counts whole, a partly half; None when nothing was rated."""
        if not self.rated:
            return None
        return round(100 * (self.yes + 0.5 * self.partly) / self.rated)


@dataclass(frozen=True)
class Line:
    """One answered question as the report shows it."""

    step_id: str
    source: str | None
    question: str
    answer: str
    value: Any
    note: str | None


@dataclass(frozen=True)
class Gap:
    step_id: str
    source: str | None
    question: str
    answer: str
    advice: str
    note: str | None


@dataclass(frozen=True)
class PhaseReport:
    id: str
    title: str
    counts: Counts
    readiness: int | None
    gaps: tuple[Gap, ...]
    lines: tuple[Line, ...]
    unanswered: int

    @property
    def notes(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.note)


@dataclass(frozen=True)
class Report:
    flow_id: str
    flow_version: int
    title: str
    language: str
    complete: bool
    phases: tuple[PhaseReport, ...]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for phase, report in zip(data["phases"], self.phases, strict=True):
            phase["counts"]["rated"] = report.counts.rated
        return data


def phase_report(
    flow: Flow, index: int, answers: Mapping[str, Answer], language: str
) -> PhaseReport:
    """The report of one phase over the answers given so far."""
    default = flow.default_language
    phase = flow.phases[index]
    values = {k: a.value for k, a in answers.items()}
    tally = dict.fromkeys(RATING_VALUES, 0)
    gaps: list[Gap] = []
    lines: list[Line] = []
    unanswered = 0
    for step in phase.steps:
        if isinstance(step, MessageStep):
            continue
        if step.when is not None and not step.when.holds(values):
            continue
        answer = answers.get(step.id)
        if answer is None:
            unanswered += 1
            continue
        question = local(step.text, language, default)
        shown = describe(step, answer.value, language, default)
        lines.append(Line(step.id, step.source, question, shown, answer.value, answer.note))
        if isinstance(step, RatingStep) and answer.value in tally:
            tally[str(answer.value)] += 1
            if answer.value in GAP_VALUES:
                advice = local(step.advice, language, default)
                gaps.append(Gap(step.id, step.source, question, shown, advice, answer.note))
    counts = Counts(**tally)
    title = local(phase.title, language, default)
    return PhaseReport(
        phase.id, title, counts, counts.readiness, tuple(gaps), tuple(lines), unanswered
    )


def build_report(
    flow: Flow, answers: Mapping[str, Answer], language: str, *, complete: bool
) -> Report:
    """The whole report: every phase, in order."""
    phases = tuple(phase_report(flow, i, answers, language) for i in range(len(flow.phases)))
    title = local(flow.title, language, flow.default_language)
    return Report(flow.id, flow.version, title, language, complete, phases)


def _percent(value: int | None, language: str) -> str:
    return "–" if value is None else f"{value}%"


def phase_summary(report: PhaseReport, language: str, most: int = 3) -> str:
    """A few lines for the chat at the end of a phase: the counts and the first gaps."""
    lines = [say(language, "phase.done", title=report.title)]
    if report.counts.rated:
        lines.append(
            say(
                language,
                "summary.phase",
                title=report.title,
                readiness=_percent(report.readiness, language),
                **asdict(report.counts),
            )
        )
        if report.gaps:
            lines.append(say(language, "summary.gaps"))
            lines += [f"• {gap.question}" for gap in report.gaps[:most]]
            if len(report.gaps) > most:
                lines.append(say(language, "summary.more", count=len(report.gaps) - most))
        else:
            lines.append(say(language, "summary.nogaps"))
    return "\n".join(lines)


def to_markdown(report: Report) -> str:
    """The report as Markdown, for the chat, the terminal or a forum post."""
    lang = report.language
    out = [f"# {say(lang, 'report.title', title=report.title)}", ""]
    for phase in report.phases:
        out.append(f"## {phase.title}")
        if phase.counts.rated:
            counts = say(lang, "report.counts", **asdict(phase.counts))
            readiness = _percent(phase.readiness, lang)
            out.append(f"*{say(lang, 'report.readiness')}: {readiness}* ({counts})")
        if phase.unanswered:
            out.append(say(lang, "report.unanswered", count=phase.unanswered))
        out.append("")
        if phase.gaps:
            out.append(f"### {say(lang, 'report.gaps')}")
            for gap in phase.gaps:
                out.append(f"- **{gap.question}** ({gap.answer})")
                if gap.advice:
                    out.append(f"  {gap.advice}")
                if gap.note:
                    out.append(f"  _{gap.note}_")
            out.append("")
        if phase.lines and not phase.counts.rated:
            out.append(f"### {say(lang, 'report.answers')}")
            out += [f"- {line.question} **{line.answer}**" for line in phase.lines]
            out.append("")
        notes = [n for n in phase.notes if n.step_id not in {g.step_id for g in phase.gaps}]
        if notes:
            out.append(f"### {say(lang, 'report.notes')}")
            out += [f"- {n.question} ({n.answer}): _{n.note}_" for n in notes]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_html(report: Report) -> str:
    """The report as a self-contained, accessible HTML page; every text is escaped."""
    lang = report.language
    e = html.escape
    title = e(say(lang, "report.title", title=report.title))
    return (
        f'<!doctype html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><main>\n"
        f"<h1>{title}</h1>\n" + html_sections(report, level=2) + "\n</main></body></html>\n"
    )


def html_sections(report: Report, *, level: int = 2) -> str:
    """The report's phases as HTML sections, headed at `level` (their parts one below), to
    place in a page of one's own; every text is escaped."""
    lang = report.language
    e = html.escape
    h, sub = f"h{level}", f"h{level + 1}"
    body = []
    for phase in report.phases:
        body.append(f"<section><{h}>{e(phase.title)}</{h}>")
        if phase.counts.rated:
            counts = e(say(lang, "report.counts", **asdict(phase.counts)))
            readiness = phase.readiness or 0
            body.append(
                f"<p>{e(say(lang, 'report.readiness'))}: <strong>{_percent(phase.readiness, lang)}"
                f'</strong> ({counts})</p><meter min="0" max="100" value="{readiness}">'
                f"{readiness}%</meter>"
            )
        if phase.gaps:
            body.append(f"<{sub}>{e(say(lang, 'report.gaps'))}</{sub}><ul>")
            for gap in phase.gaps:
                note = f"<br><em>{e(gap.note)}</em>" if gap.note else ""
                body.append(
                    f"<li><strong>{e(gap.question)}</strong> ({e(gap.answer)})"
                    f"<br>{e(gap.advice)}{note}</li>"
                )
            body.append("</ul>")
        if phase.lines and not phase.counts.rated:
            body.append(f"<{sub}>{e(say(lang, 'report.answers'))}</{sub}><ul>")
            body += [
                f"<li>{e(x.question)} <strong>{e(x.answer)}</strong></li>" for x in phase.lines
            ]
            body.append("</ul>")
        notes = [n for n in phase.notes if n.step_id not in {g.step_id for g in phase.gaps}]
        if notes:
            body.append(f"<{sub}>{e(say(lang, 'report.notes'))}</{sub}><ul>")
            body += [
                f"<li>{e(n.question)} ({e(n.answer)}): <em>{e(n.note or '')}</em></li>"
                for n in notes
            ]
            body.append("</ul>")
        body.append("</section>")
    return "\n".join(body)
