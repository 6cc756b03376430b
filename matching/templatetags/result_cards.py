"""The parts of a result card that do not depend on who is looking, rendered once."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from matching.forms.refine import refine_query
from matching.intake import Intake
from matching.ranking.page import CardFacts
from matching.scoring import Reason, Score
from matching.shown_rank import shown_rank_token

register = template.Library()
STATIC_CARDS_KEPT = 20_000


@lru_cache(maxsize=STATIC_CARDS_KEPT)
def _static_card(facts: CardFacts) -> SafeString:
    # CardFacts is immutable and compared by value: a therapist whose facts change gets a
    # new entry, and the old one ages out.
    return render_to_string("matching/includes/_card_static.html", {"facts": facts})


@lru_cache(maxsize=STATIC_CARDS_KEPT)
def _static_card_footer(facts: CardFacts) -> SafeString:
    return render_to_string("matching/includes/_card_footer.html", {"facts": facts})


@register.simple_tag
def static_card(facts: CardFacts) -> SafeString:
    """The card's photo, name and credentials, as escaped HTML from a template."""
    return _static_card(facts)


@register.simple_tag
def static_card_footer(facts: CardFacts) -> SafeString:
    """The card's licenses (verified), the credentials they sign with (marked as theirs) and
    trainings awaiting verification, for inside its "Why this match" panel."""
    return _static_card_footer(facts)


@register.simple_tag
def why_panel(score: Score, name: str, more: str = "") -> SafeString:
    """Every component of a score with its reasons, as a disclosure panel; `more` (HTML the
    caller escaped, such as the card's facts) goes before the components.

    Built with plain string joins rather than templates or format_html: a page shows ten of
    these, with some fifty reasons, and either of those would cost more than the ranking
    itself. Every value goes through escape() before it joins the markup.
    """
    parts = [
        '<details class="why"><summary>Why this match<span class="visually-hidden"> for ',
        escape(name),
        '</span></summary><div class="why__body">',
        more,
        '<dl class="why__list">',
    ]
    for component in score.components:
        parts += [
            "<div><dt>",
            escape(component.title),
            f": {component.points_rounded:d} of {component.weight_rounded:d} points</dt><dd>",
        ]
        if component.reasons:
            parts.append("<ul>")
            parts += [f"<li>{reason_html(reason)}</li>" for reason in component.reasons]
            parts.append("</ul>")
        else:
            parts.append("Nothing here for you yet.")
        parts.append("</dd></div>")
    parts.append("</dl></div></details>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


@register.simple_tag
def card_why_panel(card: object) -> SafeString:
    """A result card's "Why this match": what the compact card leaves out (every line of what
    does not fit, where the alliance figure comes from, licenses and credentials, the answer
    history unless a reason already says it), then every component with its reasons."""
    facts: CardFacts = card.facts  # type: ignore[attr-defined]
    score: Score = card.score  # type: ignore[attr-defined]
    mismatches = card.lines.mismatches  # type: ignore[attr-defined]
    parts = []
    if len(mismatches) > 1:
        parts.append('<p class="why__title">What does not fit what you said</p>')
        parts.append('<ul class="result__misfits">')
        parts += [f"<li>{escape(line)}</li>" for line in mismatches]
        parts.append("</ul>")
    # Each line once: a fact a reason below already says is not said again.
    said = {reason.text for component in score.components for reason in component.reasons}
    parts.append('<ul class="result__facts">')
    for line in (score.alliance_source, facts.answer_history):
        if line and line not in said:
            parts += ["<li>", escape(line), "</li>"]
    parts.append("</ul>")
    parts.append(_static_card_footer(facts))
    return why_panel(score, facts.full_name, "".join(parts))


@register.simple_tag
def result_card(card: object, intake: Intake, filters: str | None = None) -> SafeString:
    """One result card: photo, name and verified license, fit word and score, place and
    cost, whether they have room, the two strongest reasons, the first thing that does not
    fit, the dual-role notice, the intro button and "Why this match".

    Joined in Python like the panels above: as a template included ten times a page, the
    cards cost more CPU than ranking the whole state (about 0.3 ms a card against 0.05).
    Every value goes through escape(); the parts from templates (the static card) are
    rendered once per therapist's facts and kept.
    """
    facts: CardFacts = card.facts  # type: ignore[attr-defined]
    score: Score = card.score  # type: ignore[attr-defined]
    lines = card.lines  # type: ignore[attr-defined]
    rounded = card.score_rounded  # type: ignore[attr-defined]
    name = escape(facts.full_name)
    parts = [
        f'<li class="result"><article class="card" aria-labelledby="result-{facts.therapist_id}">'
        '<div class="result__head">',
        _static_card(facts),
        f'<p class="result__score"><meter min="0" max="100" value="{rounded}" aria-hidden="true">'
        f"</meter> <span><strong>{escape(score.fit_words)}</strong> · Match {rounded} of 100"
        "</span></p></div>",
        f'<p class="result__where">{escape(lines.where)} · {escape(lines.cost)}</p>',
        f'<p class="result__room">{escape(lines.room)}</p>' if lines.room else "",
        '<ul class="result__reasons" aria-label="Strongest reasons">',
        *(f"<li>{reason_html(reason)}</li>" for reason in score.top_reasons[:2]),
        "</ul>",
    ]
    if lines.mismatches:
        parts += [
            '<p class="result__misfit"><span class="visually-hidden">What does not fit what you '
            "said: </span>",
            escape(lines.mismatches[0]),
        ]
        if len(lines.mismatches) > 1:
            more = len(lines.mismatches) - 1
            parts.append(f' <span class="muted">(and {more} more under Why this match)</span>')
        parts.append("</p>")
    if facts.evaluations:
        evaluations = " and ".join(escape(e) for e in facts.evaluations)
        parts.append(f'<p class="result__dual">Also does {evaluations} for agencies.</p>')
    link = intro_url(card, intake, filters)
    parts += [
        '<div class="result__actions">',
        f'<a class="button button--secondary" href="{escape(link)}">Ask for an introduction'
        f'<span class="visually-hidden"> to {name}</span></a>',
        card_why_panel(card),
        "</div></article></li>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


@register.simple_tag(name="reason")
def reason_tag(reason: Reason) -> SafeString:
    """One reason with its verified or self-reported badge."""
    return mark_safe(reason_html(reason))  # noqa: S308 (reason_html escapes every value)


def reason_html(reason: Reason) -> str:
    """A reason's text, escaped, with a badge saying whether it is verified or self-reported."""
    if not reason.source_label:
        return escape(reason.text)
    return (
        f'{escape(reason.text)} <span class="badge badge--{escape(reason.source)}">'
        f"{escape(reason.source_label)}</span>"
    )


@register.simple_tag
def intro_url(card: object, intake: Intake, filters: str | None = None) -> str:
    """The card's "Ask for an introduction" link, carrying the place it was shown at and the
    list's filters (signed), so the intro's snapshot records the rank the responder saw.
    `filters` is refine_query(intake), when the caller has it already."""
    public_id = card.facts.public_id  # type: ignore[attr-defined]
    token = shown_rank_token(
        therapist_public_id=public_id,
        position=card.position,  # type: ignore[attr-defined]
        filters=refine_query(intake) if filters is None else filters,
    )
    return _intro_path(public_id) + "?" + urlencode({"shown": token})


@lru_cache(maxsize=STATIC_CARDS_KEPT)
def _intro_path(public_id: object) -> str:
    return reverse("matching:intro_new", args=[public_id])
