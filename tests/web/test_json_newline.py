"""Every JSON answer ends with a newline (so curl's output does not run into the prompt), and is one JSON text."""

import json
import socket

import pytest

from tests.conftest import BASE, KEY

ANSWERS = [
    ("get", f"{BASE}/crm-tasks/interactions/ext_ticket-42", KEY, None),  # vendor fast path, success
    ("get", f"{BASE}/crm-tasks/interactions/ext_nobody", KEY, None),  # vendor fast path, error
    ("post", f"{BASE}/crm-tasks/interactions", KEY, {"externalId": ""}),  # a 400 with details
    ("get", f"{BASE}/crm-tasks/interactions/ext_ticket-42", {}, None),  # 401
    ("get", f"{BASE}/nowhere", KEY, None),  # unrouted vendor path (Flask)
    ("get", "/__admin/health", {}, None),
    ("get", "/__admin/interactions", {}, None),
    ("get", "/openapi.json", {}, None),
    ("delete", "/openapi.json", {}, None),  # 405
]


@pytest.mark.parametrize("method, path, headers, body", ANSWERS)
def test_json_answers_end_with_one_newline(client, method, path, headers, body):
    response = getattr(client, method)(path, headers=headers, json=body)
    text = response.get_data(as_text=True)
    assert text.endswith("}\n") and not text.endswith("\n\n"), repr(text[-20:])
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    json.loads(text)


def test_a_fault_rules_json_body_ends_with_a_newline(client):
    assert client.post("/__admin/faults", json={"action": {"status": 503, "body": {"busy": True}}}).status_code == 200
    response = client.get(f"{BASE}/crm-tasks/interactions/ext_ticket-42", headers=KEY)
    assert (response.status_code, response.get_data(as_text=True)) == (503, '{"busy": true}\n')


def test_waitress_level_errors_end_with_a_newline(live_server):
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and body.endswith(b"}\n"), answer
    assert json.loads(body)["status"]["code"] == 400
