"""Reading hostile input: arbitrary bytes and garbled messages never crash the lint; what cannot be linted
is a MessageError (a 422 naming `message`) that says why."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadgate.lint.core import lint
from leadgate.lint.html import html_body, plain_body
from leadgate.lint.message import MAX_MESSAGE_BYTES, MessageError, parse
from leadgate.rules.loader import load
from tests.lint.support import FULL, SAMPLE

BOOKS = load()
DAY = date(2026, 11, 25)
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lint_or_refuse(raw: bytes) -> None:
    """Either findings or a MessageError with a message; anything else fails the test."""
    try:
        message = parse(raw)
    except MessageError as exc:
        assert exc.field == "message" and len(exc.message) > 10
        return
    report = lint(message, books=BOOKS, context=FULL, day=DAY)
    assert all(f.code and f.severity in ("error", "warning") for f in report.findings)


@SLOW
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(raw: bytes) -> None:
    lint_or_refuse(raw)


@SLOW
@given(st.data())
def test_garbled_sample(data: st.DataObject) -> None:
    raw = bytearray(SAMPLE.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 20))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    lint_or_refuse(bytes(raw[:cut]) if data.draw(st.booleans()) else bytes(raw))


HEADERS = st.sampled_from(["From", "To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type",
                           "Content-Transfer-Encoding", "MIME-Version"])


@SLOW
@given(st.lists(st.tuples(HEADERS, st.text(max_size=80)), min_size=1, max_size=8), st.text(max_size=500))
def test_arbitrary_header_values(headers: list[tuple[str, str]], body: str) -> None:
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    lint_or_refuse((head + "\n" + body).encode("utf-8", "surrogatepass"))


@SLOW
@given(st.text(max_size=1000))
def test_html_and_text_readers_take_anything(text: str) -> None:
    for body in (html_body(text), plain_body(text)):
        assert all(link.url for link in body.links)


@pytest.mark.parametrize(("raw", "says"), [
    (b"", "empty"),
    (b"   \n\n  ", "empty"),
    (b"just some text without headers", "no RFC 5322 headers"),
    (b"From: a@b.nl\nContent-Type: image/png\n\nxx", "no readable text/plain or text/html body"),
    (b"From: a@b.nl\nSubject: x\n\n", "no readable"),
])
def test_what_cannot_be_linted_says_why(raw: bytes, says: str) -> None:
    with pytest.raises(MessageError) as caught:
        parse(raw)
    assert says in caught.value.message and caught.value.field == "message"


def test_a_message_above_the_limit_is_refused() -> None:
    with pytest.raises(MessageError, match="at most"):
        parse(b"From: a@b.nl\n\n" + b"x" * MAX_MESSAGE_BYTES)


def test_encoded_bodies_are_decoded() -> None:
    raw = (b"From: Acme <a@acme.nl>\nContent-Type: text/html; charset=iso-8859-1\n"
           b"Content-Transfer-Encoding: quoted-printable\n\n<a href=3D\"https://acme.nl/u\">Se d=E9sinscrire</a>")
    body = parse(raw).bodies[0]
    assert body.links[0].url == "https://acme.nl/u" and body.links[0].text == "Se désinscrire"


def test_attachments_and_hidden_text_are_not_the_body() -> None:
    raw = (b"From: a@acme.nl\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/html\n\n"
           b"<style>.unsubscribe{}</style><script>unsubscribe()</script><p>Hi</p>\n--x\n"
           b"Content-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\nunsubscribe\n--x--\n")
    bodies = parse(raw).bodies
    assert [b.kind for b in bodies] == ["text/html"] and "unsubscribe" not in bodies[0].text


@pytest.mark.parametrize("markup", [
    "<a" * 100_000, "<?" * 100_000, "</" * 100_000, "<![" * 70_000, "<!--" * 50_000, "<" * 200_000,
    '<a="<a=\'' * 25_000, '<a href="https://x.nl/u">' * 8_000,
], ids=["a", "pi", "end", "marked", "comments", "lt", "quotes", "anchors"])
def test_hostile_markup_is_read_in_linear_time(markup: str) -> None:
    # html.parser alone takes ~30 s on 100,000 "<a"; a few hundred kilobytes must stay well under a second.
    started = time.perf_counter()
    html_body(markup)
    assert time.perf_counter() - started < 5


def test_defusing_keeps_what_a_mail_client_shows() -> None:
    body = html_body('<p title="a > b">1 < 2 and <b>bold</b></p><a href="https://x.nl/u" title=\'x<y\'>Stop</a>'
                     "<!-- hidden <a href='https://x.nl/h'>h</a> -->")
    assert "1 < 2 and bold" in body.text and "hidden" not in body.text
    assert [(link.url, link.text) for link in body.links] == [("https://x.nl/u", "Stop")]


@pytest.mark.parametrize(("raw", "says"), [
    (b'From: ' + b'"a' * 100_000 + b"\n\nbody", "The From header is over 2000 characters"),
    (b"From: a@b.nl\nContent-Type: text/plain;\n" + b" a=b;\n" * 50_000 + b"\nbody", "Content-Type header is over"),
    (b"From: a@b.nl\nContent-Type: multipart/mixed; boundary=x\n\n" + b"--x\n\n" * 50_000, "MIME part boundaries"),
], ids=["from", "content-type", "parts"])
def test_headers_the_stdlib_parses_slowly_are_measured_first(raw: bytes, says: str) -> None:
    # The stdlib's header parser is quadratic on such input (200 KB of '"a' in From: ~400 s).
    started = time.perf_counter()
    with pytest.raises(MessageError, match=says):
        parse(raw)
    assert time.perf_counter() - started < 5
