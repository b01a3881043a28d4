"""The HTML report and its charts: one self-contained page that reads well on a phone."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from PIL import Image

from coordinator import charts
from coordinator.report import render_report
from coordinator.summary import summarise_feedback, top_unanswered
from storage.models import Feedback, UnansweredQuestion

TODAY = date(2026, 3, 18)
ABOUTS = [None, "quiz", "citizen_leader", "support_finder", "community_builder", "disruptor_advocate"]
QUESTIONS = [
    "How do I get paid for my time?",
    "how do i get paid for my time",
    "What is a peer leader?",
    "Can I bring my carer to meetings with the integrated care board and the council, and who pays the taxi?",
    "I pay $5 and $10 for $\\frac{a}{b}$ travel",
    "<b>Bold</b> & brave question",
]
EXTERNAL_RESOURCE = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import"""
)
SCRIPT_COMMENT = "<script>alert('hi')</script> very useful"


def sample_feedback() -> list[Feedback]:
    """60 ratings over seven weeks, every fourth without a comment, and the newest comment a <script>."""
    rows = [
        Feedback(
            id=n,
            day=TODAY - timedelta(days=1 + (n * 7) % 50),
            rating=[5, 4, 4, 3, 5, 2, 1, 5][n % 8],
            comment=f"Comment {n}" if n % 4 else None,
            about=ABOUTS[n % len(ABOUTS)],
            bot_version="0.2.0",
        )
        for n in range(59)
    ]
    return [
        *rows,
        Feedback(id=59, day=TODAY, rating=1, comment=SCRIPT_COMMENT, about="quiz", bot_version="0.2.0"),
    ]


def sample_questions() -> list[UnansweredQuestion]:
    return [
        UnansweredQuestion(id=n, day=TODAY - timedelta(days=n), text=text, reviewed=False)
        for n, text in enumerate(QUESTIONS, start=1)
    ]


@pytest.fixture
def page() -> str:
    return render_report(sample_feedback(), sample_questions(), TODAY, weeks=8)


def all_charts() -> list[Figure]:
    summary = summarise_feedback(sample_feedback(), TODAY)
    return [
        charts.ratings_over_time(summary),
        charts.rating_distribution(summary),
        charts.top_topics(summary),
        charts.top_unanswered_chart(top_unanswered(sample_questions())),
    ]


def test_every_chart_is_scalable_inline_svg_without_an_xml_header() -> None:
    for figure in all_charts():
        svg = charts.to_svg(figure)
        opening = svg[: svg.index(">") + 1]
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert "<?xml" not in svg and "<!DOCTYPE" not in svg
        assert "viewBox=" in opening and " width=" not in opening and " height=" not in opening


def test_every_chart_is_also_a_png() -> None:
    for figure in all_charts():
        image = Image.open(io.BytesIO(charts.to_png(figure)))
        assert image.format == "PNG" and image.width >= 600


def test_charts_on_one_page_never_share_an_element_id(page: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', page)

    assert len(ids) == len(set(ids))


def test_dollar_signs_in_a_question_are_drawn_as_typed_not_as_maths() -> None:
    question = top_unanswered(sample_questions()[4:5])

    charts.to_png(charts.top_unanswered_chart(question))  # would raise if parsed as maths
    assert "$5 and $10" in charts.top_unanswered_text(question)


def test_the_report_is_one_page_with_nothing_loaded_from_elsewhere(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert EXTERNAL_RESOURCE.search(page) is None
    assert "<link" not in page and "<img" not in page and "<iframe" not in page
    assert "<script" not in page  # no JavaScript at all


def test_the_report_fits_a_phone(page: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "max-width: 44rem" in page and "width: 100%" in page


def test_the_report_has_the_headline_figures_and_every_section(page: str) -> None:
    for text in [
        "<strong>60</strong> ratings in all",
        "average rating out of 5",
        "questions with no answer yet",
        "Ratings over time",
        "Ratings from 1 to 5",
        "Roles and topics",
        "Unanswered questions",
        "Recent comments",
    ]:
        assert text in page
    assert page.count("<svg") == 4


def test_every_chart_has_a_text_alternative(page: str) -> None:
    labelled = re.findall(r'<div class="chart" role="img" aria-labelledby="([^"]+)"><svg', page)

    assert len(labelled) == page.count("<svg") == 4
    for caption_id in labelled:
        caption = re.search(rf'<figcaption id="{caption_id}">([^<]+)</figcaption>', page)
        assert caption is not None and len(caption.group(1)) > 40
    spread = "Of 60 ratings: 8 gave 1 (not helpful), 7 gave 2, 7 gave 3, 16 gave 4, 22 gave 5 (very helpful)."
    assert spread in page


def test_unanswered_questions_are_listed_in_words_with_the_command_to_review_them(page: str) -> None:
    assert "Asked 2 times, last on 17 Mar 2026." in page
    assert "roleguide unanswered review 1 2" in page
    assert "Who is a peer leader?" not in page and "What is a peer leader?" in page


def test_stored_text_is_escaped(page: str) -> None:
    assert "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt; very useful" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; brave question" in page
    assert "<b>Bold" not in page


def test_recent_comments_are_newest_first_with_their_rating_and_topic(page: str) -> None:
    comments = page.split("Recent comments")[1].split("<li>")[1:]

    assert len(comments) == 10
    assert "very useful</blockquote>" in comments[0]
    assert "18 Mar 2026 · rated 1 out of 5 · about The role quiz" in comments[0]
    assert "17 Mar 2026" in comments[1]


def test_a_report_without_data_says_so_instead_of_drawing_empty_charts() -> None:
    page = render_report([], [], TODAY)

    assert "No feedback yet." in page and "No open questions" in page and "No comments yet." in page
    assert "<svg" not in page
    assert "<strong>0</strong> ratings in all" in page


# The page in a real browser


BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
OKABE_ITO_BLUE = (0x00, 0x72, 0xB2)
NARROWEST_PHONE = 360
# Loads the report in a phone-wide frame and writes down how wide its content is.
WIDTH_PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" src="report.html" style="width:{width}px;height:1500px;border:0"></iframe>
<script>
window.addEventListener("load", () => {{
  const root = document.getElementById("page").contentDocument.documentElement;
  document.body.dataset.widths = root.scrollWidth + " " + root.clientWidth;
}});
</script></body></html>"""


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("ROLEGUIDE_SKIP_BROWSER") == "1":
            pytest.skip("Chromium is not installed and ROLEGUIDE_SKIP_BROWSER=1")
        pytest.fail(
            "Chromium is not installed: run `apt-get install -y chromium` "
            "(or set ROLEGUIDE_SKIP_BROWSER=1 to skip this test)"
        )
    return found


def run_chromium(browser: str, profile: Path, arguments: Sequence[str]) -> str:
    result = subprocess.run(
        [browser, *BROWSER_FLAGS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(browser: str, folder: Path, report: Path, width: int) -> Image.Image:
    shot = folder / f"shot-{width}.png"
    run_chromium(
        browser, folder / "profile", [f"--window-size={width},1600", f"--screenshot={shot}", report.as_uri()]
    )
    assert shot.is_file(), f"Chromium wrote no screenshot at {width} px"
    return Image.open(shot).convert("RGB")


def colours_in(image: Image.Image) -> set[tuple[int, int, int]]:
    return {colour for _, colour in image.getcolors(maxcolors=1 << 20) or []}


def test_report_renders_in_headless_chromium_on_a_phone_sized_screen(tmp_path: Path) -> None:
    browser = chromium()
    report = tmp_path / "report.html"
    report.write_text(render_report(sample_feedback(), sample_questions(), TODAY), encoding="utf-8")

    for width in (390, 1200):
        image = screenshot(browser, tmp_path, report, width)
        assert image.width == width
        colours = colours_in(image)
        assert len(colours) > 50, f"the page looks blank at {width} px"
        assert OKABE_ITO_BLUE in colours, f"no chart drawn at {width} px"

    probe = tmp_path / "probe.html"
    probe.write_text(WIDTH_PROBE.format(width=NARROWEST_PHONE), encoding="utf-8")
    dom = run_chromium(
        browser,
        tmp_path / "profile",
        ["--allow-file-access-from-files", "--window-size=800,1600", "--dump-dom", probe.as_uri()],
    )
    widths = re.search(r'data-widths="(\d+) (\d+)"', dom)
    assert widths is not None, "the width probe did not run"
    content_width, screen_width = map(int, widths.groups())
    assert content_width <= screen_width, f"the page scrolls sideways on a {NARROWEST_PHONE} px phone"
