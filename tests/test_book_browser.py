"""The built book in a real browser: Debian's headless Chromium driven over the Chrome
DevTools Protocol (tornado's websocket client, already a Jupyter dependency).

A small book is built once per session from two synthetic chapter notebooks (papermill runs
them, `syco book` re-executes them offline and renders), served on 127.0.0.1, and checked
like a reader would: every page loads, figures decode, internal links resolve, the summary
has a row per model and metric, code is hidden behind a working toggle, transcripts are
escaped and filterable. Set ``SYCO_BOOK_HTML=_build/html`` to run the same checks on the
real book instead. Screenshots go to ``_build/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cdp import Browser, chromium  # tests/ is on sys.path (conftest.py)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "_build" / "screenshots"
SYNTH = ["answer", "mimicry"]  # the two chapters the mini book runs
MODELS = ["smollm2", "openai/fake-model"]


# --- the mini book ---------------------------------------------------------------------------

SYNTH_SOURCE = [
    ("markdown", "# §{section} {title}\n\nA synthetic chapter for the browser tests."),
    (
        "code",
        "models = ['smollm2']\nn = 3\nseed = 0\ndataset_source = 'rebuilt'",
        ["parameters"],
    ),
    (
        "code",
        """import syco.results as R
from syco.stats import metric_row
for i, m in enumerate(models):
    rows = [{{"item": f"q{{k}}", "template": t,
             "transcript": [{{"role": "user", "content": f"Question {{k}} <b>bold?</b> {{t}}"}},
                            {{"role": "assistant", "content": "<script>window.PWNED=1</script> Paris & co"}}],
             "parsed": "Paris", "score": float((k + i) % 2), "cached": False,
             "error": "timeout" if k == 0 and i == 1 else None}}
            for k in range(n) for t in ["baseline", "suggest_wrong"]]
    ok = [r["score"] for r in rows if r["error"] is None]
    metrics = [metric_row("accuracy", ok, n_errors=sum(r["error"] is not None for r in rows)),
               metric_row("accuracy", ok[:3], subset="baseline")]
    R.save_run(R.RunRecord(chapter={name!r}, model=m, spec={{"n": n}}, rows=rows, metrics=metrics))""",
        [],
    ),
    (
        "code",
        """from syco.plots import bar_ci
df = R.metrics_frame({name!r})
ax = bar_ci(df, x="subset", title="accuracy by subset")""",
        [],
    ),
    ("code", "df[['model', 'metric', 'subset', 'value', 'n']]", []),
    (
        "code",
        """from syco.plots import glue_figure, ours, paper_vs_ours
glue_figure("synth_fig", ax.figure)
paper_vs_ours([{{"quantity": {long!r}, "paper": "95% [P]",
                 "ours": ours(df.iloc[0]), "model": "smollm2"}}], cite="Fig. 9")""",
        [],
    ),
    (
        "markdown",
        "```{{glue:figure}} synth_fig\n:name: fig-synth-{name}\n\nFig. 9 (ours). Synthetic.\n```",
    ),
    ("markdown", "## What to take away\n\nNothing: the numbers are synthetic."),
]
# A table cell longer than pandas' 50-character default: it must reach the page whole.
LONG_CELL = "A quantity described in words long enough to be cut by pandas' default width"


def write_synthetic_notebook(path: Path, name: str) -> None:
    import nbformat

    from syco.project import CHAPTERS

    ch = CHAPTERS[name]
    cells = []
    for kind, src, *tags in SYNTH_SOURCE:
        text = src.format(
            section=ch.section, title=ch.title, name=name, models=MODELS, long=LONG_CELL
        )
        cell = nbformat.v4.new_markdown_cell(text) if kind == "markdown" else None
        if cell is None:
            cell = nbformat.v4.new_code_cell(text)
            cell.metadata["tags"] = list(tags[0]) if tags else []
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


def build_mini_book(base: Path) -> Path:
    """A project tree with the real book sources and two synthetic chapters, built by
    `syco book`; returns its ``_build/html``."""
    from syco.book.build import build_book
    from syco.project import CHAPTERS
    from syco.runner import run_chapter

    proj = base / "proj"
    proj.mkdir()
    for f in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / f, proj / f)
    shutil.copytree(
        REPO / "book",
        proj / "book",
        ignore=shutil.ignore_patterns("chapters", "generated", "_build", "data.md"),
    )
    (proj / "notebooks").mkdir()
    for name in SYNTH:
        write_synthetic_notebook(proj / "notebooks" / CHAPTERS[name].notebook, name)
    saved = {k: os.environ.get(k) for k in ("SYCO_PROJECT_DIR", "SYCO_HOME", "SYCO_RESULTS")}
    os.environ["SYCO_PROJECT_DIR"] = str(proj)
    os.environ["SYCO_HOME"] = str(base / "home")
    os.environ.pop("SYCO_RESULTS", None)
    try:
        for name in SYNTH:
            run_chapter(CHAPTERS[name], {"n": 4, "models": MODELS}, progress=False)
        report = build_book(root=proj, execute=True)
        assert report.model_calls == 0
        assert set(report.executed) == set(SYNTH)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return proj / "_build" / "html"


@pytest.fixture(scope="session")
def book_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("SYCO_BOOK_HTML"):
        return Path(os.environ["SYCO_BOOK_HTML"]).resolve()
    return build_mini_book(tmp_path_factory.mktemp("book"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site(book_html: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    exe = chromium()
    if exe is None:
        if os.environ.get("SYCO_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (make browser installs it)")
        pytest.skip("chromium is not installed (make browser installs it)")
    b = Browser(exe)
    yield b
    b.close()


def pages(book_html: Path) -> list[str]:
    """Every page of the book, relative to the site root (search/genindex excluded)."""
    out = []
    for p in sorted(book_html.rglob("*.html")):
        rel = p.relative_to(book_html).as_posix()
        if rel.startswith("_") or rel in ("search.html", "genindex.html", "index.html"):
            continue
        out.append(rel)
    return out


def chapter_pages(book_html: Path) -> list[str]:
    return [p for p in pages(book_html) if p.startswith("book/chapters/")]


# --- the checks ------------------------------------------------------------------------------


def test_every_page_loads_and_the_intro_looks_right(browser: Browser, site: str, book_html: Path):
    all_pages = pages(book_html)
    assert "book/intro.html" in all_pages and "book/summary.html" in all_pages
    for rel in all_pages:
        browser.goto(site + rel)
        title = browser.js("document.title")
        h1 = browser.js("(document.querySelector('main h1') || {}).textContent || ''")
        assert title and h1.strip(), f"{rel}: no title or heading"
        assert browser.js("document.querySelectorAll('nav.bd-docs-nav a').length") > 5, rel
    browser.goto(site, exact=False)  # index.html redirects to the intro
    deadline = time.time() + 10
    while "intro" not in browser.js("location.href") and time.time() < deadline:
        time.sleep(0.1)
    browser.goto(site + "book/intro.html")
    browser.screenshot(SHOTS / "intro.png")
    browser.screenshot(SHOTS / "intro_full.png", full=True)


def test_chapter_pages_have_decoded_figures(browser: Browser, site: str, book_html: Path):
    chapters = chapter_pages(book_html)
    assert chapters, "no chapter page was built"
    for rel in chapters:
        browser.goto(site + rel)
        imgs = browser.js(
            "Array.from(document.querySelectorAll('main img')).map(i => "
            "[i.getAttribute('src'), i.complete, i.naturalWidth])"
        )
        assert imgs, f"{rel}: no figure"
        bad = [i for i in imgs if not (i[1] and i[2] > 0)]
        assert not bad, f"{rel}: figures not decoded: {bad}"
    browser.goto(site + chapters[0])
    browser.screenshot(SHOTS / "chapter.png")
    browser.screenshot(SHOTS / "chapter_full.png", full=True)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_no_broken_internal_links(browser: Browser, site: str, book_html: Path):
    checked: dict[str, int] = {}
    ids: dict[str, set[str]] = {}
    broken = []
    for rel in pages(book_html):
        browser.goto(site + rel)
        links = browser.js(
            "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
            ".filter(h => h.startsWith(location.origin))"
        )
        ids[site + rel] = set(
            browser.js("Array.from(document.querySelectorAll('[id]')).map(e => e.id)")
        )
        for href in links:
            page, _, frag = href.partition("#")
            if page not in checked:
                checked[page] = _status(page)
            if checked[page] != 200:
                broken.append(f"{rel} -> {href} ({checked[page]})")
            elif frag and page in ids and urllib.parse.unquote(frag) not in ids[page]:
                broken.append(f"{rel} -> {href} (no #{frag})")
    assert checked, "no internal links found"
    assert not broken, "broken internal links:\n" + "\n".join(broken)


def test_summary_table_has_a_row_per_model_and_metric(browser: Browser, site: str):
    browser.goto(site + "book/summary.html")
    rows = browser.js(
        "Array.from(document.querySelectorAll('#syco-summary tr.syco-row')).map(r => "
        "[r.closest('tbody').dataset.chapter, r.dataset.model, r.cells[0].textContent, "
        "r.cells[1].textContent, r.cells[3].textContent])"
    )
    groups = browser.js(
        "Array.from(document.querySelectorAll('#syco-summary tbody.syco-group')).map(g => g.dataset.chapter)"
    )
    from syco.project import CHAPTERS

    assert groups == list(CHAPTERS), "one group per chapter, in paper order"
    if os.environ.get("SYCO_BOOK_HTML"):
        assert rows, "the summary table is empty"
        return
    for name in SYNTH:
        for m in MODELS:
            mine = [r for r in rows if r[0] == name and r[1] == m]
            assert {(r[2], r[3]) for r in mine} == {("accuracy", "all"), ("accuracy", "baseline")}
            assert all("[" in r[4] for r in mine), "every value shows its CI"
    assert len(rows) == len(SYNTH) * len(MODELS) * 2
    # the filter narrows rows to one model
    browser.js(
        "(() => { const s = document.querySelector('.syco-filter .syco-model'); "
        f"s.value = {json.dumps(MODELS[1])}; s.dispatchEvent(new Event('change')); }})()"
    )
    visible = browser.js(
        "Array.from(document.querySelectorAll('#syco-summary tr.syco-row'))"
        ".filter(r => r.offsetParent !== null).map(r => r.dataset.model)"
    )
    assert visible and set(visible) == {MODELS[1]}
    browser.screenshot(SHOTS / "summary.png")


def test_code_is_hidden_and_the_toggle_shows_it(browser: Browser, site: str, book_html: Path):
    browser.goto(site + chapter_pages(book_html)[0])
    n = browser.js("document.querySelectorAll('details.above-input').length")
    assert n >= 1, "code cells are not behind a toggle"
    code_cells = browser.js("document.querySelectorAll('div.cell').length")
    assert (
        n == browser.js("document.querySelectorAll('div.cell details.above-input').length")
        and n == code_cells
    ), "every code cell is hidden"
    shown = (
        "(() => { const d = document.querySelectorAll('details.above-input')[%d]; "
        "const c = d.querySelector('.cell_input pre'); "
        "return [d.open, c.checkVisibility({contentVisibilityAuto: true})]; })()"
    )
    i = n - 1  # the last cell: a real one, not the parameters
    opened, visible = browser.js(shown % i)
    assert not opened and not visible, "code shown before the toggle"
    browser.js(
        f"document.querySelectorAll('details.above-input')[{i}].querySelector('summary').click()"
    )
    time.sleep(0.2)
    opened, visible = browser.js(shown % i)
    assert opened and visible, "the toggle did not show the code"
    browser.screenshot(SHOTS / "chapter_code_shown.png", full=True)


def test_transcripts_are_escaped_and_filterable(browser: Browser, site: str, book_html: Path):
    if os.environ.get("SYCO_BOOK_HTML"):
        pytest.skip("synthetic transcripts only")
    browser.goto(site + f"book/generated/transcripts/{SYNTH[0]}.html")
    assert browser.js("window.PWNED === undefined"), "a transcript's <script> ran"
    assert browser.js("document.querySelectorAll('#syco-rows script').length") == 0
    text = browser.js("document.querySelector('#syco-rows .syco-text').textContent")
    assert "<b>bold?</b>" in text, "markup in a transcript must show as text"
    total = browser.js("document.querySelectorAll('#syco-rows tr.syco-row').length")
    assert total == 4 * 2 * len(MODELS)
    browser.js(
        "(() => { const c = document.querySelector('.syco-errors-only input'); c.checked = true; "
        "c.dispatchEvent(new Event('change')); })()"
    )
    visible = browser.js(
        "Array.from(document.querySelectorAll('#syco-rows tr.syco-row'))"
        ".filter(r => r.offsetParent !== null).map(r => r.dataset.model)"
    )
    assert visible == [MODELS[1], MODELS[1]], "errors only: the two timed-out samples"
    browser.js(
        "(() => { const c = document.querySelector('.syco-errors-only input'); c.checked = false; "
        "c.dispatchEvent(new Event('change')); "
        "document.querySelector('#syco-rows details').open = true; })()"
    )
    browser.screenshot(SHOTS / "transcripts.png")


def test_without_a_repository_no_page_links_to_one(browser: Browser, site: str, book_html: Path):
    """The committed `repository.url` is empty (no public repository exists): no repository,
    issues, Colab or Binder link on a chapter page (`syco.book.build.write_config`)."""
    browser.goto(site + chapter_pages(book_html)[0])
    hrefs = browser.js("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    outside = [h for h in hrefs if any(k in h for k in ("colab.research", "mybinder.org",
                                                        "github.com"))]  # fmt: skip
    assert outside == [], outside


# --- the HTML itself (no browser needed) -----------------------------------------------------


def test_tables_are_whole_without_index_and_figures_carry_one_number(book_html: Path):
    """Issue 21: pandas cut cells at 50 characters and showed a 0, 1, 2 index column; Sphinx
    numbered "Fig. 9 (ours)" a second time."""
    for rel in chapter_pages(book_html):
        html = (book_html / rel).read_text(encoding="utf-8")
        assert LONG_CELL in html, rel  # whole, not "A quantity described in words long en..."
        assert "syco-frame" in html and "<th>0</th>" not in html, rel
        assert "<td>smollm2</td>" in html, rel
        assert "Fig. 9 (ours)" in html and "caption-number" not in html, rel


def test_no_placeholder_reaches_the_html(book_html: Path):
    from test_book_tables import PLACEHOLDER

    hits = []
    for rel in pages(book_html):
        html = (book_html / rel).read_text(encoding="utf-8")
        hits += [f"{rel}: {m.group(0)}" for m in PLACEHOLDER.finditer(html)]
    assert hits == []
    rerun = (book_html / "book" / "rerun.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", rerun))
    assert "pip install -e . inside the copy" in text
