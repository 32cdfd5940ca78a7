"""Hostile results and enrolment files through the staff API, the staff pages and the CLI:
each is refused with a clear error that quotes nothing from the file (never a hetu), the
preview refuses whatever confirming would fail on, and an over-limit upload is refused early."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tracemalloc
from io import BytesIO
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.status import SqlStatus
from consent.config import Settings
from consent.hetu import HETU_PATTERN
from consent.staff import Role
from tests.courses import course_doc
from tests.hetus import make_hetu
from tests.unit.test_config import PRODUCTION
from web.app import create_app

COURSE = "knoppi-2026-syksy"
PASSWORD = "pitkä-ja-hyvä-salasana"
HETUS = [make_hetu(dt.date(1990, 5, 5)), make_hetu(dt.date(1985, 3, 3))]
ANY_HETU = re.compile(HETU_PATTERN.pattern, re.IGNORECASE)
GOOD = "hyväksytty,2026-11-01"
REFUSED = (400, 422)  # the file unreadable, or a row against a rule: either way, nothing stored
ODD_NAMES = [
    ("Zoë 🦊 Ñandú", "O\u2019Brien-\u202eAhonen\u202c"),  # emoji, a right-to-left override
    ("A\u0301\u0308ino\u200d", "\ufeffVirta\uffff\x7f\x85"),  # combining marks, noncharacters
]
BIG = "9" * 5000
HOSTILE_JSON = {
    "an integer over 4300 digits in an unknown key": f'[{{"hetu":"{HETUS[0]}","x":{BIG}}}]',
    "an integer over 4300 digits as a grade": f'[{{"hetu":"{HETUS[0]}","grade":{BIG}}}]',
    "an integer over 4300 digits as a part grade": (
        f'[{{"hetu":"{HETUS[0]}","grade":"hyväksytty","graded_on":"2026-11-01",'
        f'"parts":{{"KP-1":{BIG}}}}}]'
    ),
    "a lone surrogate in a name": (
        f'[{{"hetu":"{HETUS[0]}","grade":"hyväksytty","graded_on":"2026-11-01",'
        '"first_names":"A\\ud800"}]'
    ),
    "a lone surrogate in a key": f'[{{"hetu":"{HETUS[0]}","\\udfff":"1"}}]',
    "100,000 nested brackets": "[" * 100_000 + "]" * 100_000,
    "100,000 nested objects": '{"results":' * 100_000 + "[]" + "}" * 100_000,
    "a NUL in a name": (
        f'[{{"hetu":"{HETUS[0]}","grade":"hyväksytty","graded_on":"2026-11-01",'
        '"last_name":"Virta\\u0000nen"}]'
    ),
    "a date in year 1": f'[{{"hetu":"{HETUS[0]}","grade":"hyväksytty","graded_on":"0001-01-01"}}]',
    "a date in year 9999": (
        f'[{{"hetu":"{HETUS[0]}","grade":"hyväksytty","graded_on":"9999-12-31"}}]'
    ),
}


def no_hetu_in(text: str) -> bool:
    """Nothing shaped like a hetu, in either case, and none of the test's hetus."""
    return not ANY_HETU.search(text) and not any(h.lower() in text.lower() for h in HETUS)


def odd_names_json() -> str:
    """A results JSON file: a pass for each of the test's hetus, named by :data:`ODD_NAMES`."""
    rows = [
        {
            "hetu": h,
            "grade": "hyväksytty",
            "graded_on": "2026-11-01",
            "first_names": first,
            "last_name": last,
        }
        for h, (first, last) in zip(HETUS, ODD_NAMES, strict=True)
    ]
    return json.dumps(rows, ensure_ascii=False)


def headerless() -> str:
    """A results CSV whose header line was forgotten: a hetu where the first column's name is."""
    return "".join(f"{h},{GOOD}\n" for h in HETUS)


# --- the staff API ---------------------------------------------------------------------------


@pytest.fixture
def api(engine: Engine, redis_client: redis.Redis) -> FlaskClient:
    """The staff API with a course defined."""
    client = create_app(Settings.from_env({}), engine=engine, broker=redis_client).test_client()
    response = client.put(f"/api/courses/{COURSE}", json=course_doc(), headers=staff_of(engine))
    assert response.status_code == 200
    return client


def staff_of(engine: Engine) -> dict[str, str]:
    tokens = SqlStaffTokens(engine, utc_now)
    return {"Authorization": f"Bearer {tokens.create(f'staff-{os.urandom(4).hex()}', Role.STAFF)}"}


def stored(engine: Engine) -> int:
    status = SqlStatus(engine, AesGcmCipher(Settings.from_env({}).pii_keys))
    return len(status.course_status(COURSE))


def post_results(api: FlaskClient, engine: Engine, body: str | bytes, kind: str) -> tuple[int, str]:
    content_type = "text/csv" if kind == "csv" else "application/json"
    response = api.post(
        f"/api/courses/{COURSE}/results",
        data=body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body,
        content_type=content_type,
        headers=staff_of(engine),
    )
    return response.status_code, response.text


def test_a_results_csv_without_its_header_line_names_the_column_by_position_not_by_hetu(
    api: FlaskClient, engine: Engine
) -> None:
    status, text = post_results(api, engine, headerless(), "csv")
    assert status in REFUSED
    assert no_hetu_in(text), text
    errors = json.loads(text)["errors"]
    assert {"row": 0, "field": "column 1", "reason": "is not a known column"} in errors
    assert {"row": 0, "field": "hetu", "reason": "is missing from the header"} in errors
    assert stored(engine) == 0


@pytest.mark.parametrize(
    "row",
    [
        {"hetu": HETUS[0], "grade": "hyväksytty", "graded_on": "2026-11-01", HETUS[1]: "x"},
        {
            "hetu": HETUS[0],
            "grade": "hyväksytty",
            "graded_on": "2026-11-01",
            "parts": {HETUS[1]: "hyväksytty"},
        },
        {"hetu": HETUS[0], "grade": "hyväksytty", "graded_on": "2026-11-01", HETUS[1].lower(): "x"},
    ],
    ids=["a hetu as a key", "a hetu as a part code", "a lower-case hetu as a key"],
)
def test_a_hetu_in_a_json_key_is_never_echoed(
    api: FlaskClient, engine: Engine, row: dict[str, object]
) -> None:
    status, text = post_results(api, engine, json.dumps([row]), "json")
    assert status in REFUSED
    assert no_hetu_in(text), text
    [error] = json.loads(text)["errors"]
    assert error["row"] == 1
    assert re.fullmatch(r"(parts )?key \d", error["field"]), error


def test_a_hetu_as_a_part_column_of_a_csv_is_named_by_position(
    api: FlaskClient, engine: Engine
) -> None:
    body = f"hetu,grade,graded_on,part:{HETUS[1]}\n{HETUS[0]},{GOOD},hyväksytty\n"
    status, text = post_results(api, engine, body, "csv")
    assert status in REFUSED
    assert no_hetu_in(text), text
    assert json.loads(text)["errors"] == [
        {"row": 0, "field": "column 4", "reason": "is not a part of this course"}
    ]


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("{}", "csv"),
        ("hetu,grade,graded_on\n", "csv"),
        ("", "csv"),
        ("\n\n", "csv"),
        ("[]", "json"),
    ],
    ids=["a csv body of braces", "a header only", "an empty csv", "blank lines", "an empty list"],
)
def test_a_results_file_without_rows_or_required_columns_is_refused(
    api: FlaskClient, engine: Engine, body: str, kind: str
) -> None:
    status, text = post_results(api, engine, body, kind)
    assert status in REFUSED, text
    reasons = {e["reason"] for e in json.loads(text)["errors"]}
    assert reasons & {"has no rows", "is missing from the header"}, reasons
    assert stored(engine) == 0


@pytest.mark.parametrize("case", HOSTILE_JSON)
def test_hostile_json_in_a_results_file_is_a_clear_error_not_a_500(
    api: FlaskClient, engine: Engine, case: str
) -> None:
    status, text = post_results(api, engine, HOSTILE_JSON[case], "json")
    assert status in REFUSED, text[:300]
    assert json.loads(text)["errors"]
    assert no_hetu_in(text)
    assert stored(engine) == 0


@pytest.mark.parametrize(
    "cell",
    ["A\x00B", "\x1b[31mred", "x" * 200_000],
    ids=["a NUL byte", "an escape sequence", "a cell over the CSV field limit"],
)
def test_hostile_csv_cells_are_a_clear_error_not_a_500(
    api: FlaskClient, engine: Engine, cell: str
) -> None:
    body = f"hetu,grade,graded_on,first_names\n{HETUS[0]},{GOOD},{cell}\n"
    status, text = post_results(api, engine, body, "csv")
    assert status in REFUSED, text[:300]
    assert json.loads(text)["errors"]
    assert stored(engine) == 0


def test_a_row_with_values_beyond_the_header_is_refused(api: FlaskClient, engine: Engine) -> None:
    body = f"hetu,grade,graded_on\n{HETUS[0]},{GOOD},{HETUS[1]}\n"
    status, text = post_results(api, engine, body, "csv")
    assert status in REFUSED
    assert no_hetu_in(text)
    assert json.loads(text)["errors"] == [
        {"row": 1, "field": "column 4", "reason": "is beyond the header"}
    ]


def test_odd_but_valid_unicode_names_import_and_import_again_unchanged(
    api: FlaskClient, engine: Engine
) -> None:
    body = odd_names_json()
    assert post_results(api, engine, body, "json") == (200, '{"changed":2,"unchanged":0}\n')
    assert post_results(api, engine, body, "json") == (200, '{"changed":0,"unchanged":2}\n')
    assert stored(engine) == 2


def test_a_results_file_cut_off_before_its_declared_length_imports_nothing(
    api: FlaskClient, engine: Engine
) -> None:
    # Two whole rows arrived of the three declared: read as the whole file, they would be a
    # valid import of two results, the third silently missing.
    rows = [f"{hetu},hyväksytty,2026-11-01\n" for hetu in HETUS]
    body = ("hetu,grade,graded_on\n" + "".join(rows)).encode()
    response = api.post(
        f"/api/courses/{COURSE}/results",
        input_stream=BytesIO(body),
        content_type="text/csv",
        headers=staff_of(engine),
        # gunicorn marks every body terminated; only the declared length shows bytes missing
        environ_overrides={"CONTENT_LENGTH": str(len(body) + 40), "wsgi.input_terminated": True},
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert stored(engine) == 0


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("hetu,grade,graded_on\n" + ",,\n" * 10_001, "csv"),
        ("hetu,grade,graded_on\n" + "\n" * 10_001, "csv"),
        ("[" + ",".join(["{}"] * 10_001) + "]", "json"),
        ('{"results":[' + ",".join(["{}"] * 10_001) + "]}", "json"),
        ("[" + ",".join(["1"] * 10_001) + "]", "json"),
    ],
    ids=["csv rows of empty cells", "csv blank lines", "json objects", "json wrapped", "numbers"],
)
def test_a_file_over_the_row_limit_is_refused_with_the_row_limit_and_stores_nothing(
    api: FlaskClient, engine: Engine, body: str, kind: str
) -> None:
    status, text = post_results(api, engine, body, kind)
    assert status in REFUSED
    assert json.loads(text)["errors"] == [
        {"row": 0, "field": "(file)", "reason": "has more than 10000 rows"}
    ]
    assert stored(engine) == 0


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"[" + b"{}," * (10 * 1024 * 1024 // 3 - 1) + b"{}]", "json"),
        (b"hetu,grade,graded_on\n" + b",,\n" * (10 * 1024 * 1024 // 3 - 8), "csv"),
    ],
    ids=["10 MiB of json objects", "10 MiB of empty csv rows"],
)
def test_a_ten_mib_upload_over_the_row_limit_is_refused_before_it_grows_memory_many_times(
    api: FlaskClient, engine: Engine, body: bytes, kind: str
) -> None:
    headers = staff_of(engine)
    tracemalloc.start()
    try:
        response = api.post(
            f"/api/courses/{COURSE}/results",
            data=body,
            content_type="text/csv" if kind == "csv" else "application/json",
            headers=headers,
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["errors"][0]["reason"] == "has more than 10000 rows"
    assert peak < 6 * len(body), f"{peak / 2**20:.0f} MiB for a {len(body) / 2**20:.0f} MiB body"


def post_enrolments(api: FlaskClient, engine: Engine, body: str, kind: str) -> tuple[int, str]:
    response = api.post(
        f"/api/courses/{COURSE}/enrolments",
        data=body.encode("utf-8", "surrogatepass"),
        content_type="text/csv" if kind == "csv" else "application/json",
        headers=staff_of(engine),
    )
    return response.status_code, response.text


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (f"{HETUS[0]},Aino,Virtanen\n{HETUS[1]},Eero,Esimerkki\n", "csv"),
        ("{}", "csv"),
        ("[]", "json"),
        (f'[{{"hetu":"{HETUS[0]}","first_names":"A\\ud800","last_name":"B"}}]', "json"),
        (f'[{{"hetu":"{HETUS[0]}","first_names":"A\\u0000","last_name":"B"}}]', "json"),
        (f'[{{"hetu":"{HETUS[0]}","first_names":"A","last_name":"B","email":{BIG}}}]', "json"),
        ("[" + ",".join(["{}"] * 10_001) + "]", "json"),
    ],
    ids=[
        "without its header",
        "a csv body of braces",
        "an empty list",
        "a lone surrogate",
        "a NUL",
        "a huge integer",
        "over the row limit",
    ],
)
def test_a_bad_enrolment_file_enrols_nobody_and_echoes_no_hetu(
    api: FlaskClient, engine: Engine, body: str, kind: str
) -> None:
    status, text = post_enrolments(api, engine, body, kind)
    assert status in REFUSED, text[:300]
    assert json.loads(text)["errors"]
    assert no_hetu_in(text), text
    listing = api.get(f"/api/courses/{COURSE}/enrolments", headers=staff_of(engine))
    assert listing.json == {"course": COURSE, "enrolments": []}


# --- the staff pages -------------------------------------------------------------------------


@pytest.fixture
def pages(engine: Engine, redis_client: redis.Redis) -> FlaskClient:
    """A logged-in staff member's browser, with a course defined."""
    SqlStaffAccounts(engine, utc_now).create("staff", PASSWORD, Role.STAFF)
    client = create_app(Settings.from_env({}), engine=engine, broker=redis_client).test_client()
    answer = form(client, "/staff/login", {"username": "staff", "password": PASSWORD})
    assert answer.startswith("302 ")
    tokens = SqlStaffTokens(engine, utc_now)
    headers = {"Authorization": f"Bearer {tokens.create('course-maker', Role.STAFF)}"}
    assert (
        client.put(f"/api/courses/{COURSE}", json=course_doc(), headers=headers).status_code == 200
    )
    return client


def form(client: FlaskClient, path: str, data: dict[str, object], page: str = "") -> str:
    """Submit a form with the CSRF token of the page it is on; status, location and page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page or path).text)
    assert found is not None
    response = client.post(path, data={"csrf_token": found.group(1), **data})
    return f"{response.status_code} {response.headers.get('Location', '')}\n{response.text}"


def preview(client: FlaskClient, content: bytes, filename: str, what: str = "results") -> str:
    page = f"/staff/courses/{COURSE}"
    return form(client, f"{page}/{what}", {"file": (BytesIO(content), filename)}, page)


def test_the_preview_of_a_results_file_without_its_header_shows_no_hetu(
    pages: FlaskClient, engine: Engine
) -> None:
    answer = preview(pages, headerless().encode(), "tulokset.csv")
    assert answer.startswith("400 ")
    assert no_hetu_in(answer)
    assert "<td>sarake 1</td><td>ei ole tunnettu sarake</td>" in answer
    assert "<td>hetu</td><td>puuttuu otsikkoriviltä</td>" in answer
    assert stored(engine) == 0


@pytest.mark.parametrize("case", HOSTILE_JSON)
def test_the_preview_refuses_hostile_json_rather_than_calling_it_fine(
    pages: FlaskClient, engine: Engine, case: str
) -> None:
    answer = preview(pages, HOSTILE_JSON[case].encode("utf-8", "surrogatepass"), "tulokset.json")
    assert answer.startswith("400 "), answer[:300]
    assert "Vahvista tuonti" not in answer
    assert no_hetu_in(answer)


@pytest.mark.parametrize(
    ("content", "shown"),
    [
        (b"[" * 100_000, "JSON on sisäkkäin liian monella tasolla"),
        (b"[" + b"{}," * 10_000 + b"{}]", "sisältää yli 10000 riviä"),
        (b'[{"hetu": 1, "hetu": 2}]', "sisältää saman avaimen kahdesti"),
    ],
    ids=["deep nesting", "too many rows", "a duplicate key"],
)
def test_the_preview_says_in_finnish_why_a_file_cannot_be_read(
    pages: FlaskClient, content: bytes, shown: str
) -> None:
    answer = preview(pages, content, "tulokset.json")
    assert answer.startswith("400 ")
    assert f"<td>(tiedosto)</td><td>{shown}</td>" in answer


def test_whatever_the_preview_accepts_confirming_stores_without_error(
    pages: FlaskClient, engine: Engine
) -> None:
    answer = preview(pages, odd_names_json().encode(), "tulokset.json")
    assert answer.startswith("200 "), answer[:300]
    found = re.search(rf'action="(/staff/courses/{COURSE}/results/[^"]+)"', answer)
    assert found is not None
    confirmed = form(pages, found.group(1), {}, f"/staff/courses/{COURSE}")
    assert confirmed.startswith(f"302 /staff/courses/{COURSE}"), confirmed[:300]
    assert stored(engine) == 2


def test_an_enrolment_file_without_its_header_shows_no_hetu(pages: FlaskClient) -> None:
    body = f"{HETUS[0]},Aino,Virtanen\n".encode()
    answer = preview(pages, body, "osallistujat.csv", "enrolments")
    assert answer.startswith("400 ")
    assert no_hetu_in(answer)


# --- the CLI ---------------------------------------------------------------------------------


def test_the_cli_names_no_hetu_from_a_results_or_enrolment_file_without_its_header(
    tmp_path: Path,
) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    env = {**clean, "VST_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/4"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cli.main", *args]
        root = Path(__file__).resolve().parents[2]
        return subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    assert run("migrate").returncode == 0
    (tmp_path / "course.json").write_text(json.dumps(course_doc()))
    assert run("courses", "import", str(tmp_path / "course.json")).returncode == 0
    (tmp_path / "tulokset.csv").write_text(headerless())
    result = run("results", "import", COURSE, str(tmp_path / "tulokset.csv"))
    assert result.returncode == 1
    assert "column 1: is not a known column" in result.stderr
    assert no_hetu_in(result.stdout + result.stderr), result.stderr
    (tmp_path / "osallistujat.csv").write_text(f"{HETUS[0]},Aino,Virtanen\n")
    enrolled = run("signing", "enrol", COURSE, str(tmp_path / "osallistujat.csv"))
    assert enrolled.returncode == 1
    assert "hetu is missing from the header" in enrolled.stderr
    assert no_hetu_in(enrolled.stdout + enrolled.stderr), enrolled.stderr
