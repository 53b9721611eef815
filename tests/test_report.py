"""``image-style report``: the HTML catalogue's data, thumbnails and CLI, and the page itself in headless Chromium."""

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.query import connect
from pipeline.report import CHROMIUM, CHROMIUM_ARGS, write_report
from transforms.schema import DEAD_LETTER_FIELDS, IMAGE_FIELDS, arrow_schema, conform

REPO = Path(__file__).resolve().parent.parent
ODD_URI = "/nonexistent/</script><img src=x onerror=alert(1)>.jpg"  # must render as text, not markup


def _embedded_data(html: str) -> dict:
    match = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "no embedded report data"
    return json.loads(match.group(1))


def _table(output: Path, name: str) -> list[dict]:
    return pq.read_table(sorted((output / name).glob("*.parquet"))).to_pylist()


def _write(folder: Path, name: str, rows: list[dict], fields: tuple) -> None:
    (folder / name).mkdir(parents=True)
    schema = arrow_schema(fields)
    table = pa.Table.from_pylist([conform(row, fields) for row in rows], schema=schema)
    pq.write_table(table, folder / name / "part-00000-of-00001.parquet")


def _count(output: Path, where: str = "true", params: list | None = None) -> int:
    return connect(str(output)).execute(f"SELECT count(*) FROM images WHERE {where}", params or []).fetchone()[0]


@pytest.fixture(scope="module")
def ten_thousand(tagged_samples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10,000 image rows (the tagged samples again and again, each a distinct symlink) and 120 dead letters."""
    folder = tmp_path_factory.mktemp("ten_thousand")
    links = folder / "links"
    links.mkdir()
    images, dead = _table(tagged_samples, "images"), _table(tagged_samples, "dead_letters")
    rows = []
    for i in range(9_999):
        source = images[i % len(images)]
        link = links / f"{i:05d}_{Path(source['uri']).name}"
        link.symlink_to(source["uri"])
        rows.append({**source, "uri": str(link), "id": f"{source['id']}-{i}"})
    rows.append({**images[0], "uri": ODD_URI, "id": "odd", "image_id": None, "explanation": ["<b>not bold</b>"]})
    _write(folder, "images", rows, IMAGE_FIELDS)
    letters = [{**dead[0], "uri": f"/missing/{i:03d}.jpg", "id": f"dead-{i}"} for i in range(120)]
    _write(folder, "dead_letters", letters, DEAD_LETTER_FIELDS)
    return folder


def test_summary_and_embedded_data_match_the_tables(tagged_samples: Path, tmp_path: Path) -> None:
    html_path = tmp_path / "nested" / "report.html"
    summary = write_report(str(tagged_samples), str(html_path))

    tables = connect(str(tagged_samples))
    per_style = dict(tables.execute("SELECT style, count(*) FROM images GROUP BY style").fetchall())
    assert summary.images == 11 and summary.dead_letters == 1
    assert summary.styles == per_style
    assert (summary.thumbnails, summary.placeholders) == (11, 0)
    assert summary.size_bytes == html_path.stat().st_size
    html = html_path.read_text(encoding="utf-8")
    data = _embedded_data(html)
    assert sorted(row["u"] for row in data["images"]) == sorted(r["uri"] for r in _table(tagged_samples, "images"))
    assert all(thumb.startswith("data:image/jpeg;base64,") for thumb in data["thumbs"])
    assert all(0 <= row["i"] < len(data["thumbs"]) for row in data["images"])
    for row in data["images"]:
        assert len(row["p"]) == len(data["styles"]) and abs(sum(row["p"]) - 1) < 0.01
        assert row["p"][row["s"]] == max(row["p"])
    groups = [row["s"] for row in data["images"]]
    assert groups == sorted(groups), "cards are grouped by style"
    (dead,) = data["dead"]
    assert dead[0].endswith("missing.jpg") and dead[1] == "read" and "not found" in dead[3]
    # Self-contained: every src/href is a data: URI, and nothing is fetched from elsewhere.
    assert set(re.findall(r'(?:src|href)="([a-z]+):', html)) <= {"data"}
    assert "http://" not in html and "https://" not in html


def test_thumbnails_are_made_once_per_image_and_unreadable_ones_get_placeholders(
    tagged_samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import transforms.read

    reads: list[str] = []
    real_read = transforms.read.read_bytes

    def counting_read(uri: str, *limits: object) -> bytes:
        reads.append(uri)
        return real_read(uri, *limits)

    monkeypatch.setattr(transforms.read, "read_bytes", counting_read)
    chelsea = next(r for r in _table(tagged_samples, "images") if r["uri"].endswith("chelsea.png"))
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("not an image")
    rows = [{**chelsea, "image_id": None} for _ in range(50)]
    rows += [{**chelsea, "uri": str(not_image), "image_id": None}, {**chelsea, "uri": ODD_URI, "image_id": None}]
    output = tmp_path / "run"
    _write(output, "images", rows, IMAGE_FIELDS)

    summary = write_report(str(output), str(tmp_path / "report.html"))

    assert sorted(reads) == sorted({chelsea["uri"], str(not_image), ODD_URI})
    assert (summary.images, summary.dead_letters, summary.thumbnails, summary.placeholders) == (52, 0, 1, 2)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert ODD_URI not in html, "a uri must not be able to close the data script"
    data = _embedded_data(html)
    assert [row["u"] for row in data["images"]].count(ODD_URI) == 1
    assert sorted(row["i"] for row in data["images"]) == [-1, -1] + [0] * 50


def test_cli_prints_one_line_and_keeps_tensorflow_out(tagged_samples: Path, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    script = (
        "import sys; from pipeline.cli import main; "
        f"code = main(['report', '--output', {str(tagged_samples)!r}, '--html', {str(html)!r}, '--no-thumbnails']); "
        "print('tensorflow' in sys.modules, code)"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120)
    summary_line, loaded = completed.stdout.splitlines()
    assert loaded == "False 0"
    assert re.fullmatch(rf"report: 11 images, 1 dead letters, \d+ KB: {re.escape(str(html))}", summary_line)
    data = _embedded_data(html.read_text(encoding="utf-8"))
    assert data["thumbs"] == [] and {row["i"] for row in data["images"]} == {-1}


def test_cli_refuses_a_folder_without_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--output", str(tmp_path), "--html", str(tmp_path / "r.html")]) == 2
    assert "no Parquet tables" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium, headless, driven by Playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: run `make browser`"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


def _open(browser, html: Path) -> tuple:
    """The loaded page and the list its console errors, page errors and foreign requests land in."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    url = html.as_uri()
    page.on("request", lambda request: problems.append(request.url) if request.url != url else None)
    page.goto(url)
    return page, problems


def _number(page, selector: str) -> int:
    return int(page.text_content(selector).replace(",", ""))


def test_page_counts_and_filters_match_the_tables(browser, tagged_samples: Path, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    write_report(str(tagged_samples), str(html))
    page, problems = _open(browser, html)
    tables = connect(str(tagged_samples))
    per_style = dict(tables.execute("SELECT style, count(*) FROM images GROUP BY style").fetchall())

    assert _number(page, "#total-count") == _number(page, "#match-count") == 11
    assert _number(page, "#dead-count") == 1
    assert page.locator("#dead-table tbody tr").count() == 1
    assert "not found" in page.text_content("#dead-table tbody tr")
    bars = page.eval_on_selector_all(
        "#chart .bar-row", "rows => rows.map(r => [r.dataset.style, r.querySelector('.count').textContent])"
    )
    assert {style: int(n) for style, n in bars if n != "0"} == per_style
    assert len(bars) == 8
    assert page.locator("#cards .card").count() == 11
    assert page.eval_on_selector_all("#cards img", "images => images.every(i => i.complete && i.naturalWidth > 0)")
    first = page.locator("#cards .card").first
    assert first.locator(".scores li").count() == 8 and first.locator(".palette .swatch").count() > 0
    assert first.locator(".explanation li").count() > 0
    row = next(r for r in _table(tagged_samples, "images") if r["uri"] == first.get_attribute("data-uri"))
    shares = first.locator(".scores li").evaluate_all(
        "items => items.map(li => [li.dataset.style, li.querySelector('.fill').getBoundingClientRect().width"
        " / li.querySelector('.track').getBoundingClientRect().width])"
    )
    assert dict(shares) == pytest.approx({s["label"]: s["score"] for s in row["styles"]}, abs=0.01)
    page.screenshot(path="/tmp/image_style_report_samples.png", full_page=True)

    style = max(per_style, key=lambda s: (per_style[s], s))
    page.select_option("#style-filter", style)
    assert _number(page, "#match-count") == per_style[style] == page.locator("#cards .card").count()
    assert set(page.eval_on_selector_all("#cards .card", "cards => cards.map(c => c.dataset.style)")) == {style}

    tag = tables.execute(
        "SELECT t FROM (SELECT unnest(tags) AS t FROM images) GROUP BY t ORDER BY count(*), t"
    ).fetchone()[0]
    page.select_option("#tag-filter", tag)
    both = _count(tagged_samples, "style = ? AND list_contains(tags, ?)", [style, tag])
    assert _number(page, "#match-count") == both == page.locator("#cards .card").count()
    page.select_option("#style-filter", "")
    assert _number(page, "#match-count") == _count(tagged_samples, "list_contains(tags, ?)", [tag]) > 0
    page.click("#reset")
    assert _number(page, "#match-count") == 11
    assert problems == []


def test_ten_thousand_rows_stay_small_and_page(browser, ten_thousand: Path, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    summary = write_report(str(ten_thousand), str(html))
    assert (summary.images, summary.dead_letters) == (10_000, 120)
    assert (summary.thumbnails, summary.placeholders) == (11, 1), "one thumbnail per distinct image"
    assert summary.size_bytes < 20_000_000

    page, problems = _open(browser, html)
    assert _number(page, "#total-count") == _number(page, "#match-count") == 10_000
    assert page.locator("#cards .card").count() == 48
    first_page = page.eval_on_selector_all("#cards .card", "cards => cards.map(c => c.dataset.uri)")
    page.click("#pager-top [data-go=next]")
    assert page.text_content("#pager-top .page-label") == "Page 2 of 209"
    second_page = page.eval_on_selector_all("#cards .card", "cards => cards.map(c => c.dataset.uri)")
    assert len(second_page) == 48 and not set(first_page) & set(second_page)
    page.click("#pager-bottom [data-go=last]")
    assert page.locator("#cards .card").count() == 10_000 - 208 * 48
    assert page.is_disabled("#pager-top [data-go=next]")
    page.screenshot(path="/tmp/image_style_report_10k.png")

    style = page.get_attribute("#chart .bar-row >> nth=2", "data-style")
    page.click(f'#chart .bar-row[data-style="{style}"]')
    assert _number(page, "#match-count") == _count(ten_thousand, "style = ?", [style])
    assert page.text_content("#pager-top .page-label").startswith("Page 1 of ")
    page.click("#reset")
    page.fill("#search", "nonexistent")
    assert _number(page, "#match-count") == 1
    assert page.text_content("#cards .card .name") == Path(ODD_URI).name
    assert page.locator("#cards .card .placeholder").count() == 1

    assert _number(page, "#dead-count") == 120
    assert page.locator("#dead-table tbody tr").count() == 50
    page.click("#dead-pager [data-go=last]")
    assert page.locator("#dead-table tbody tr").count() == 20
    assert problems == []
