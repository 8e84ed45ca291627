"""Nothing a client sends reaches a response header unescaped (http.header_safe): CR/LF and friends, on the wire."""

import json
import re
import socket

import pytest

from mocknexus.serving.server import MockNexus
from tests.conftest import BASE, FIXTURES

# A header line as it must leave the server: a token, ": ", printable ASCII (no CR, LF, NUL, DEL, 8-bit).
HEADER_LINE = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+: [\x20-\x7e]*")
INJECTED = b"x-injected"


@pytest.fixture(scope="module")
def live_server():
    """One server for the module: every test uses its own externalIds."""
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as server:
        yield server


def _exchange(server, head: str | bytes, body: bytes = b"") -> tuple[int, list[bytes], bytes]:
    """Send exact bytes (Content-Length and Connection: close added), read to EOF; (status, header lines, body)."""
    head = head.encode("latin-1") if isinstance(head, str) else head
    request = head + b"Host: x\r\nConnection: close\r\nx-api-key: k\r\n"
    request += b"Content-Length: %d\r\n\r\n" % len(body) + body
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head_bytes, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *lines = head_bytes.split(b"\r\n")
    return int(status_line.split()[1]), lines, payload


def _assert_clean(lines: list[bytes]) -> dict[bytes, list[bytes]]:
    """Every header line well-formed printable ASCII and nothing injected; returns headers by lower-case name."""
    headers: dict[bytes, list[bytes]] = {}
    for line in lines:
        assert HEADER_LINE.fullmatch(line), line
        name, _, value = line.partition(b": ")
        headers.setdefault(name.lower(), []).append(value)
    assert INJECTED not in headers, headers
    return headers


NASTY_TRACE_IDS = [
    b"abc\rX-Injected: yes",        # a bare CR
    b"abc\x00\x0b\x1b[31m\x7f",     # NUL, VT, an escape sequence, DEL
    b"abc\x85X-Injected: yes",      # NEL: a line break to str.splitlines once decoded as latin-1
    "abc\u00e9".encode(),           # 8-bit bytes (UTF-8 é)
    b"abc\r\n X-Injected: yes",     # an obsolete folded continuation line
    b"abc\tX-Injected: yes",        # a tab (legal in a header value)
]


@pytest.mark.parametrize("trace", NASTY_TRACE_IDS, ids=["cr", "controls", "nel", "8bit", "fold", "tab"])
def test_trace_id_is_escaped(live_server, trace):
    status, lines, payload = _exchange(live_server, b"GET %s/crm-tasks/interactions/ext_ticket-42 HTTP/1.1\r\n"
                                                    b"X-B3-TraceId: %s\r\n" % (BASE.encode(), trace))
    headers = _assert_clean(lines)
    if status == 400:  # waitress refuses some header bytes itself: then the app never saw them
        assert json.loads(payload)["status"]["code"] == 400
        return
    assert status == 200
    [echoed] = headers[b"x-b3-traceid"]
    assert echoed.startswith(b"abc") and echoed != trace


def test_plain_trace_id_is_echoed_verbatim(live_server):
    status, lines, _ = _exchange(live_server, f"GET {BASE}/crm-tasks/interactions/ext_ticket-42 HTTP/1.1\r\n"
                                              "X-B3-TraceId: 463ac35c9f6413ad48485a3953bb6124\r\n")
    assert status == 200
    assert _assert_clean(lines)[b"x-b3-traceid"] == [b"463ac35c9f6413ad48485a3953bb6124"]


def test_unknown_field_warning_is_escaped(live_server):
    # JSON escapes smuggle CR/LF, U+2028 and NEL into a field name, which the warning then names.
    body = (b'{"externalId": "crlf-warning", "bad\\r\\nX-Injected: yes": 1, "sep\\u2028X-Injected: yes": 2, '
            b'"nel\\u0085x": 3}')
    status, lines, payload = _exchange(live_server, f"POST {BASE}/crm-tasks/interactions HTTP/1.1\r\n"
                                                    "Content-Type: application/json\r\n", body)
    assert status == 200, payload
    warnings = _assert_clean(lines)[b"x-mocknexus-warning"]
    assert len(warnings) == 3
    assert any(b"bad\\r\\nX-Injected: yes" in w for w in warnings), warnings
    assert json.loads(payload)["data"]["externalId"] == "crlf-warning"


@pytest.mark.parametrize("segment", ["ext_a%0D%0AX-Injected:%20yes", "a%0D%0AX-Injected:%20yes",
                                     "ext_%E2%80%A8%C2%85%00"])
def test_ids_in_paths_never_reach_a_header(live_server, segment):
    status, lines, payload = _exchange(live_server, f"GET {BASE}/crm-tasks/interactions/{segment} HTTP/1.1\r\n")
    assert status == 404, payload
    _assert_clean(lines)
    assert json.loads(payload)["status"]["code"] == 404


def test_stored_external_id_with_crlf_is_served_cleanly(live_server):
    created = _exchange(live_server, f"POST {BASE}/crm-tasks/interactions HTTP/1.1\r\n"
                                     "Content-Type: application/json\r\n",
                        b'{"externalId": "two\\r\\nX-Injected: lines"}')
    assert created[0] == 200
    for method, suffix in (("GET", ""), ("POST", "/update"), ("POST", "/stop")):
        body = b'{"addedProperties": {"k": "v\\r\\nX-Injected: 1"}}' if suffix == "/update" else b""
        status, lines, payload = _exchange(
            live_server, f"{method} {BASE}/crm-tasks/interactions/ext_two%0D%0AX-Injected:%20lines{suffix} "
                         "HTTP/1.1\r\nContent-Type: application/json\r\n", body)
        assert status == 200, payload
        _assert_clean(lines)
        assert json.loads(payload)["data"]["externalId"] == "two\r\nX-Injected: lines"


def test_unknown_service_with_crlf(live_server):
    status, lines, payload = _exchange(live_server, f"GET {BASE}/a%0D%0AX-Injected:%201/interactions/x HTTP/1.1\r\n")
    assert status == 404
    _assert_clean(lines)
    assert "X-Injected" in json.loads(payload)["status"]["message"]
