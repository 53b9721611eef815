"""The profile pipeline: event parsing, decayed sums, and batch and streaming runs against the tagged samples.

Expected affinities are computed here by hand from the catalogue's own style scores: Σ weight ×
0.5^(age / half-life) × scores, divided by its total.
"""

import datetime
import json
import re
import shutil
from pathlib import Path

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to
from conftest import PubSubTopic, wait_until

from models.affinity import DecayedSum, decay, normalise, parse_event_weights
from pipeline.cli import main
from pipeline.profiles import build_profile_pipeline
from pipeline.query import connect
from transforms.events import RawEvent, event_time, parse_event

T0 = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
HOUR, DAY = datetime.timedelta(hours=1), datetime.timedelta(days=1)
WEIGHTS = {"view": 1.0, "click": 2.0, "cart": 4.0, "purchase": 8.0}


def test_event_weights_are_name_number_pairs_above_zero() -> None:
    assert parse_event_weights("view=1, Click=2.5,purchase=8") == {"view": 1.0, "click": 2.5, "purchase": 8.0}
    for bad in ("view", "view=", "view=x", "view=0", "view=-1", "view=inf", "view=1,VIEW=2", "view=1,"):
        with pytest.raises(ValueError):
            parse_event_weights(bad)


def test_decay_halves_every_half_life_and_zero_means_none() -> None:
    assert decay(0, 2) == 1.0
    assert decay(2 * 86_400, 2) == 0.5
    assert decay(6 * 86_400, 2) == 0.125
    assert decay(10**9, 0) == 1.0


def test_decayed_sum_is_the_same_in_any_order_and_merged_in_parts() -> None:
    day = 86_400.0
    events = [(0.0, 1.0, {"x": 1.0}), (2 * day, 8.0, {"y": 1.0}), (day, 2.0, {"x": 0.5, "y": 0.5})]
    in_order, reversed_, first, rest = (DecayedSum(1.0) for _ in range(4))
    for event in events:
        in_order.add(*event)
    for event in reversed(events):
        reversed_.add(*event)
    first.add(*events[0])
    for event in events[1:]:
        rest.add(*event)
    rest.merge(first)
    # As of the newest event (day 2): 1 × 0.25 × x + 8 × y + 2 × 0.5 × (x + y) / 2 = 0.75 x + 8.5 y.
    for total in (in_order, reversed_, rest):
        assert total.time == 2 * day and total.count == 3
        assert total.vector == pytest.approx({"x": 0.75, "y": 8.5})
        assert total.weight == pytest.approx(9.25)
        assert total.weight_at(3 * day) == pytest.approx(4.625)
        assert total.affinity() == [
            {"label": "y", "score": pytest.approx(8.5 / 9.25)},
            {"label": "x", "score": pytest.approx(0.75 / 9.25)},
        ]


def test_normalise_sums_to_one_highest_first_and_refuses_nothing() -> None:
    assert normalise({"b": 1.0, "a": 1.0, "c": 2.0}) == [
        {"label": "c", "score": 0.5},
        {"label": "a", "score": 0.25},
        {"label": "b", "score": 0.25},
    ]
    with pytest.raises(ValueError):
        normalise({"a": 0.0})


def test_timestamps_are_iso_or_epoch_seconds_and_naive_means_utc() -> None:
    epoch = T0.timestamp()
    for value in ("2025-03-01T00:00:00Z", "2025-03-01T01:00:00+01:00", "2025-03-01", str(epoch), epoch, int(epoch)):
        assert event_time(value) == epoch, value
    assert event_time(datetime.datetime(2025, 3, 1)) == epoch
    for bad in (None, "", "yesterday", "nan", True, [1]):
        with pytest.raises(ValueError):
            event_time(bad)


@pytest.mark.parametrize(
    ("record", "error"),
    [
        ("{not json", "x.jsonl:3: not JSON"),
        ("[1, 2]", "not a JSON object but list"),
        (b"\xff\xfe", "x.jsonl:3: 'utf-8' codec"),
        ({"uri": "a.jpg", "event": "view", "timestamp": "2025-03-01"}, "no user_id"),
        ({"user_id": "u", "event": "view", "timestamp": "2025-03-01"}, "names no image"),
        ({"user_id": "u", "uri": "a.jpg", "timestamp": "2025-03-01"}, "no event type"),
        ({"user_id": "u", "uri": "a.jpg", "event": "like", "timestamp": "2025-03-01"}, "unknown event type 'like'"),
        ({"user_id": "u", "uri": "a.jpg", "event": "view"}, "no timestamp"),
        ({"user_id": "u", "uri": "a.jpg", "event": "view", "timestamp": "soon"}, "bad timestamp 'soon'"),
        ({"user_id": "u", "uri": "a.jpg", "event": "view", "timestamp": "2025-03-03"}, "is after --as_of"),
        ({"user_id": "u", "uri": "a.jpg", "<fields beyond the header>": ["x"]}, "1 more fields than the header"),
    ],
)
def test_each_bad_event_is_refused_naming_its_source(record: object, error: str) -> None:
    with pytest.raises(ValueError, match=r"^x\.jsonl:3: ") as raised:
        parse_event(RawEvent("x.jsonl:3", record), WEIGHTS, as_of=(T0 + DAY).timestamp())
    assert error in str(raised.value)


def test_a_good_event_is_checked_and_weighted() -> None:
    raw = RawEvent("m1", b'{"user_id": 7, "image_id": "abc", "event": " Purchase ", "timestamp": 1740787200}')
    event = parse_event(raw, WEIGHTS)
    assert (event.user_id, event.uri, event.image_id, event.event, event.weight) == ("7", None, "abc", "purchase", 8.0)
    assert event.time == T0.timestamp()


@pytest.fixture(scope="module")
def catalogue(tagged_samples: Path) -> dict[str, dict]:
    """The tagged sample images by file name: uri, image_id and style scores."""
    rows = pq.read_table(list((tagged_samples / "images").glob("*.parquet"))).to_pylist()
    return {Path(r["uri"]).name: {**r, "scores": {s["label"]: s["score"] for s in r["styles"]}} for r in rows}


@pytest.fixture()
def folder(tagged_samples: Path, tmp_path: Path) -> Path:
    """A fresh output folder holding a copy of the tagged samples' images table."""
    shutil.copytree(tagged_samples / "images", tmp_path / "images")
    return tmp_path


def expected_affinity(terms: list[tuple[float, dict]]) -> dict[str, float]:
    """normalise(Σ factor × scores), the factor being weight × decay."""
    totals = {label: sum(factor * scores[label] for factor, scores in terms) for label in terms[0][1]}
    return {label: value / sum(totals.values()) for label, value in totals.items()}


def _rows(folder: Path) -> list[dict]:
    return [row for f in sorted(folder.glob("*.parquet")) for row in pq.read_table(f).to_pylist()]


def _check_profile(row: dict, expected: dict[str, float], n_events: int) -> None:
    assert row["n_events"] == n_events
    assert {s["label"]: s["score"] for s in row["style_affinity"]} == pytest.approx(expected, abs=1e-12)
    scores = [s["score"] for s in row["style_affinity"]]
    assert scores == sorted(scores, reverse=True) and sum(scores) == pytest.approx(1.0)
    assert row["top_style"] == row["style_affinity"][0]["label"] == max(expected, key=expected.get)


def _run(folder: Path, arguments: list[str], keys: dict[str, list[str]]) -> dict[str, list[dict]]:
    """Runs the batch pipeline, checks the keys of the rows it returns and of its Parquet tables, reads the tables."""
    options = PipelineOptions(["--output", str(folder), *arguments])
    key_of = {"user_profiles": "user_id", "image_engagement": "uri", "profile_dead_letters": "uri"}
    with beam.Pipeline(options=options) as pipeline:
        outputs = build_profile_pipeline(pipeline, options)
        for table, expected in keys.items():
            got = outputs[table] | f"{table}Keys" >> beam.Map(lambda row, key=key_of[table]: row[key])
            assert_that(got, equal_to(expected), label=f"Check{table}")
    tables = {table: _rows(folder / table) for table in keys}
    for table, expected in keys.items():
        assert sorted(row[key_of[table]] for row in tables[table]) == sorted(expected), table
    return tables


def test_csv_events_become_exact_profiles_and_every_event_one_row(catalogue: dict, folder: Path) -> None:
    a, b, c = catalogue["chelsea.png"], catalogue["coffee.webp"], catalogue["rocket.jpg"]
    lines = [
        "user_id,uri,event,timestamp",
        f"alice,{a['uri']},view,{T0.isoformat()}",
        f"alice,{b['uri']},purchase,{(T0 + HOUR).isoformat()}",
        f"alice,{a['uri']},click,{(T0 + 2 * HOUR).isoformat()}",
        f"bob,{c['uri']},cart,{T0.timestamp()}",
        f"carol,{folder}/not_tagged.jpg,view,{T0.isoformat()}",
        f"carol,{a['uri']},like,{T0.isoformat()}",
        f",{a['uri']},view,{T0.isoformat()}",
        f"dave,{a['uri']},view,yesterday",
        f"erin,{a['uri']},view",
        f"frank,{a['uri']},view,{T0.isoformat()},surplus",
    ]
    events = folder / "events.csv"
    events.write_text("\n".join(lines) + "\n")
    keys = {
        "user_profiles": ["alice", "bob"],
        "image_engagement": [a["uri"], b["uri"], c["uri"]],
        "profile_dead_letters": [f"{folder}/not_tagged.jpg", *[a["uri"]] * 5],
    }
    tables = _run(folder, ["--events", str(events), "--as_of", (T0 + DAY).isoformat()], keys)

    profiles = {r["user_id"]: r for r in tables["user_profiles"]}
    assert set(profiles) == {"alice", "bob"}
    _check_profile(profiles["alice"], expected_affinity([(1 + 2, a["scores"]), (8, b["scores"])]), 3)
    _check_profile(profiles["bob"], expected_affinity([(4, c["scores"])]), 1)
    assert {r["updated_at"] for r in tables["user_profiles"]} == {T0 + DAY}
    engagement = {Path(r["uri"]).name: (r["n_events"], r["engagement"]) for r in tables["image_engagement"]}
    assert engagement == {"chelsea.png": (2, 3.0), "coffee.webp": (1, 8.0), "rocket.jpg": (1, 4.0)}

    dead = {r["error"].split(": ", 1)[0]: r for r in tables["profile_dead_letters"]}
    expected_dead = {
        6: ("join", "is not in the catalogue"),
        7: ("event", "unknown event type 'like'"),
        8: ("event", "no user_id"),
        9: ("event", "bad timestamp 'yesterday'"),
        10: ("event", "no timestamp"),
        11: ("event", "1 more fields than the header"),
    }
    assert set(dead) == {f"{events}:{line}" for line in expected_dead}
    for line, (stage, error) in expected_dead.items():
        row = dead[f"{events}:{line}"]
        assert row["stage"] == stage and error in row["error"], row
        assert row["id"] == lines[line - 1].split(",")[0]
    assert dead[f"{events}:6"]["uri"] == f"{folder}/not_tagged.jpg"
    # Every event line is exactly one contribution or one dead letter.
    contributions = sum(r["n_events"] for r in tables["user_profiles"])
    assert contributions == sum(r["n_events"] for r in tables["image_engagement"])
    assert contributions + len(tables["profile_dead_letters"]) == len(lines) - 1


def test_jsonl_events_honour_weights_half_life_and_as_of(catalogue: dict, folder: Path) -> None:
    a, b, c = catalogue["chelsea.png"], catalogue["coffee.webp"], catalogue["rocket.jpg"]
    events = [
        {"user_id": "alice", "uri": a["uri"], "event": "view", "timestamp": T0.isoformat()},
        {"user_id": "alice", "image_id": b["image_id"], "event": "like", "timestamp": (T0 + DAY).isoformat()},
        {"user_id": "alice", "uri": "/moved/rocket.jpg", "image_id": c["image_id"], "event": "LIKE", "timestamp": 0.0},
        {"user_id": "alice", "uri": a["uri"], "event": "purchase", "timestamp": T0.isoformat()},
        {"user_id": "alice", "uri": a["uri"], "event": "view", "timestamp": (T0 + 3 * DAY).isoformat()},
        {"user_id": "bob", "image_id": "0" * 64, "event": "view", "timestamp": T0.isoformat()},
    ]
    events[2]["timestamp"] = (T0 + 2 * DAY).timestamp()  # epoch seconds, found by image_id though the uri moved
    path = folder / "events.jsonl"
    path.write_text("\n".join([*map(json.dumps, events), "", '{"user_id": "bob", "event"']) + "\n")
    as_of = T0 + 2 * DAY
    arguments = ["--events", str(path), "--event_weights", "view=1,like=3", "--half_life_days", "1"]
    keys = {
        "user_profiles": ["alice"],
        "image_engagement": [a["uri"], b["uri"], c["uri"]],
        "profile_dead_letters": [a["uri"], a["uri"], "0" * 64, f"{path}:8"],
    }
    tables = _run(folder, [*arguments, "--as_of", as_of.isoformat()], keys)

    (alice,) = tables["user_profiles"]
    # Ages 2, 1 and 0 days with a one-day half-life: factors 1 × 0.25, 3 × 0.5 and 3 × 1.
    expected = expected_affinity([(0.25, a["scores"]), (1.5, b["scores"]), (3.0, c["scores"])])
    _check_profile(alice, expected, 3)
    assert alice["updated_at"] == as_of
    engagement = {Path(r["uri"]).name: r["engagement"] for r in tables["image_engagement"]}
    assert engagement == pytest.approx({"chelsea.png": 0.25, "coffee.webp": 1.5, "rocket.jpg": 3.0})
    assert {r["half_life_days"] for r in tables["image_engagement"]} == {1.0}

    dead = sorted((r["error"].split(": ", 1)[0], r["stage"], r["uri"]) for r in tables["profile_dead_letters"])
    assert dead == [
        (f"{path}:4", "event", a["uri"]),  # purchase is not among --event_weights
        (f"{path}:5", "event", a["uri"]),  # after --as_of
        (f"{path}:6", "join", "0" * 64),
        (f"{path}:8", "event", f"{path}:8"),  # unparsable: named by its line
    ]


def test_parquet_events_through_the_command_line(
    catalogue: dict, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = catalogue["chelsea.png"], catalogue["coffee.webp"]
    table = pa.table(
        {
            "user_id": ["alice", "alice", None, "bob"],
            "uri": [a["uri"], None, a["uri"], b["uri"]],
            "image_id": [None, b["image_id"], None, None],
            "event": ["click", "cart", "view", "view"],
            "timestamp": [T0, T0 + HOUR, T0, T0],
        }
    )
    path = folder / "events.parquet"
    pq.write_table(table, path)
    assert main(["profile", "--events", str(path), "--output", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "user profiles: 2 (3 events)" in out and "profile dead letters: 1" in out and ":row 3: no user_id" in out
    profiles = {r["user_id"]: r for r in _rows(folder / "user_profiles")}
    _check_profile(profiles["alice"], expected_affinity([(2, a["scores"]), (4, b["scores"])]), 2)
    _check_profile(profiles["bob"], expected_affinity([(1, b["scores"])]), 1)
    connection = connect(str(folder))  # `image-style query` sees the new tables
    assert connection.execute("SELECT count(*) FROM image_engagement").fetchone() == (2,)
    assert connection.execute("SELECT count(*) FROM profile_dead_letters").fetchone() == (1,)


def test_options_are_checked_before_the_run(tmp_path: Path, folder: Path) -> None:
    def build(*arguments: str, output: Path = folder) -> None:
        options = PipelineOptions([*arguments, "--output", str(output)])
        build_profile_pipeline(beam.Pipeline(options=options), options)

    topic = "projects/p/topics/t"
    with pytest.raises(ValueError, match="no tagged images"):
        build("--events", "e.csv", output=tmp_path / "empty")
    with pytest.raises(ValueError, match="exactly one of"):
        build()
    with pytest.raises(ValueError, match="must end in one of"):
        build("--events", "events.txt")
    with pytest.raises(ValueError, match="--as_of: bad timestamp"):
        build("--events", "e.csv", "--as_of", "soon")
    with pytest.raises(ValueError, match="--as_of is for batch"):
        build("--streaming", "--events_topic", topic, "--as_of", "2025-03-01")
    with pytest.raises(ValueError, match="need --streaming"):
        build("--events_topic", topic)
    with pytest.raises(ValueError, match="must be 0"):
        build("--events", "e.csv", "--half_life_days", "-1")
    with pytest.raises(ValueError, match="not name=number"):
        build("--events", "e.csv", "--event_weights", "view")


def test_profile_table_adds_bigquery_writes_beside_the_parquet_tables(folder: Path) -> None:
    options = PipelineOptions(["--events", "e.csv", "--output", str(folder), "--profile_table", "proj:ds.profiles"])
    pipeline = beam.Pipeline(options=options)
    build_profile_pipeline(pipeline, options)
    labels = {t.full_label for t in pipeline.transforms_stack[0].parts}
    tables = ("UserProfiles", "ImageEngagement", "ProfileDeadLetters")
    assert {f"{table}ToBigQuery" for table in tables} | {f"Write{table}" for table in tables} <= labels


def test_pubsub_events_update_profiles_as_they_arrive(pubsub_topic: PubSubTopic, catalogue: dict, folder: Path) -> None:
    subscription = pubsub_topic.subscription
    arguments = ["--streaming", "--events_subscription", subscription, "--output", str(folder), "--window_seconds", "2"]
    options = PipelineOptions([*arguments, "--half_life_days", "1"])
    pipeline = beam.Pipeline(options=options)
    build_profile_pipeline(pipeline, options)
    result = pipeline.run()
    a, b, c = catalogue["chelsea.png"], catalogue["coffee.webp"], catalogue["rocket.jpg"]
    messages = [
        {"user_id": "alice", "uri": a["uri"], "event": "view", "timestamp": T0.isoformat()},
        {"user_id": "alice", "uri": b["uri"], "event": "purchase", "timestamp": (T0 + DAY).isoformat()},
        {"user_id": "alice", "image_id": c["image_id"], "event": "click", "timestamp": (T0 + DAY / 2).isoformat()},
        {"user_id": "bob", "uri": "/not/tagged.jpg", "event": "view", "timestamp": T0.isoformat()},
    ]
    try:
        for message in [*map(json.dumps, messages), "not json"]:
            pubsub_topic.publish(message.encode())
        wait_until(
            lambda: len(_rows(folder / "user_profiles")) >= 3 and len(_rows(folder / "profile_dead_letters")) >= 2
        )
        profiles, dead = _rows(folder / "user_profiles"), _rows(folder / "profile_dead_letters")
        # One row per event, each as of the user's newest event; the third arrived out of order.
        assert sorted(r["n_events"] for r in profiles) == [1, 2, 3]
        latest = max(profiles, key=lambda r: r["n_events"])
        assert latest["updated_at"] == T0 + DAY
        # As of day 1: the view is a day old (× 0.5), the click half a day (× 0.5 ** 0.5).
        expected = expected_affinity([(0.5, a["scores"]), (8, b["scores"]), (2 * 0.5**0.5, c["scores"])])
        _check_profile(latest, expected, 3)
        engagement = {Path(r["uri"]).name: r for r in _rows(folder / "image_engagement")}
        assert set(engagement) == {"chelsea.png", "coffee.webp", "rocket.jpg"}
        assert engagement["rocket.jpg"]["engagement"] == 2.0  # as of its own newest event
        assert sorted(r["stage"] for r in dead) == ["event", "join"]
        assert all(re.match(r"message \d+: ", r["error"]) for r in dead), dead  # names the Pub/Sub message
    finally:
        pubsub_topic.publish(b"{}")  # lets cancel() return promptly
        result.cancel()


def test_the_readme_walkthrough_on_the_bundled_events(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = str(Path(__file__).resolve().parent.parent / "samples" / "events.csv")
    arguments = ["profile", "--events", events, "--output", str(folder), "--as_of", "2026-11-29T00:00:00Z"]
    assert main([*arguments, "--half_life_days", "14"]) == 0
    printed = capsys.readouterr().out
    assert "user profiles: 3 (8 events)" in printed and "profile dead letters: 1" in printed
    assert main(["recommend", "--user", "alice", "--output", str(folder), "-k", "3", "--format", "json"]) == 0
    picks = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(picks) == 3 and picks[0]["style"] == "mysterious_hard"  # alice bought the grey coins
    assert picks[0]["reason"].startswith("matches your mysterious_hard") and not picks[0]["cold_start"]
