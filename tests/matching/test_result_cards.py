"""Card fragments built in Python must escape everything, like templates do."""

from __future__ import annotations

from matching.scoring import Component, Reason, Score
from matching.templatetags.result_cards import reason_tag, why_panel

NASTY = '<script>alert("x")</script>&'


def test_the_why_panel_escapes_every_value() -> None:
    score = Score(
        therapist_id=1,
        total=50.0,
        components=(
            Component("competence", NASTY, 30.0, 0.5, (Reason(NASTY, 10.0, "verified"),)),
            Component("alliance", "Alliance", 25.0, 0.0, ()),
        ),
    )
    html = why_panel(score, NASTY)
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;") == 3
    assert "15 of 30 points" in html
    assert "Nothing here for you yet." in html
    assert '<span class="badge badge--verified">Verified</span>' in html


def test_a_reason_shows_its_source_badge_and_escapes_its_text() -> None:
    assert str(reason_tag(Reason("Speaks <b>Spanish</b>", 1.0, "self_reported"))) == (
        'Speaks &lt;b&gt;Spanish&lt;/b&gt; <span class="badge badge--self_reported">'
        "Self-reported</span>"
    )
    assert str(reason_tag(Reason("Usually answers within a day", 1.0, "recorded"))) == (
        "Usually answers within a day"
    )
