"""§7 in a real browser: each panel of /__admin/ui against a real server, checked against the admin API."""

import json
import statistics
import time
from pathlib import Path

import requests

from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES
from tests.web import browser as chromium
from tests.web.browser import admin, vendor

chromium.skip_without_chromium()

CRM = "/nexus/v3/openmedia/crm-tasks/interactions"


def until(page, expression: str) -> None:
    """Wait for a JavaScript condition (as a function: the page's CSP forbids evaluating strings)."""
    page.wait_for_function(f"() => {expression}")


def test_interactions_per_service_with_search_state_filter_and_details(ui_server, dashboard, tmp_path):
    for n in range(25):
        vendor(ui_server, "POST", CRM, json={"externalId": f"bulk-{n}", "userData": {"Note": f"needle{n}"}})
    watch = dashboard()
    page = watch.page
    page.wait_for_selector('[data-table="interactions-crm-tasks"] tbody tr')
    listed = admin(ui_server, "/interactions")["interactions"]
    for service in {i["openMediaService"] for i in listed}:
        ids = [i["id"] for i in listed if i["openMediaService"] == service]
        assert [row[0] for row in watch.rows(f"interactions-{service}")] == ids[:20]  # a page of 20
    page.click('[data-table="interactions-crm-tasks"] ~ .pager button:last-child')
    assert [row[0] for row in watch.rows("interactions-crm-tasks")] == [
        i["id"] for i in listed if i["openMediaService"] == "crm-tasks"][20:40]
    watch.shot(tmp_path, "interactions")

    vendor(ui_server, "POST", CRM, json={"externalId": "made-after-the-page-opened"})
    page.click("#interactions .refresh")
    until(page, "document.querySelector('#services').textContent.includes('made-after-the-page-opened')")
    page.fill("#search", "NEEDLE17")  # userData text, any case
    until(page, "document.querySelectorAll('#services tbody tr').length === 1")
    [row] = watch.rows("interactions-crm-tasks")
    assert row[1] == "bulk-17"
    page.fill("#search", "")
    page.select_option("#state-filter", "stopped")
    shown = page.eval_on_selector_all("#services tbody tr", "rows => rows.map(r => r.cells[0].textContent)")
    assert shown == [i["id"] for i in listed if i["state"] == "stopped"]
    page.click("#services tbody tr")
    assert watch.details() == next(i for i in listed if i["state"] == "stopped")
    assert not page.query_selector("button[data-move]")  # a stopped interaction has no moves


def test_the_journal_is_live_filtered_and_opens_a_request(ui_server, dashboard, tmp_path):
    vendor(ui_server, "GET", f"{CRM}/ext_ticket-42")
    vendor(ui_server, "GET", f"{CRM}/ext_nobody")
    watch = dashboard()
    page = watch.page
    page.click('nav [data-panel="journal"]')
    page.wait_for_selector('[data-table="journal"] tbody tr')
    journal = admin(ui_server, "/requests")["requests"][::-1]
    expected = [[r["time"], r["method"], r["path"], str(r["status"]), r["operation"], ""] for r in journal]
    assert watch.rows("journal") == expected

    delays = []
    for n in range(3):  # a request made elsewhere shows within 2 s, without a reload
        started = time.monotonic()
        vendor(ui_server, "GET", f"{CRM}/ext_live-{n}")
        page.wait_for_function("n => document.querySelector('[data-table=journal] tbody tr td:nth-child(3)')"
                               ".textContent.endsWith('/ext_live-' + n)", arg=n, timeout=5000)
        delays.append(time.monotonic() - started)
    assert statistics.median(delays) < 2.0, delays
    polls = [at for at, url in watch.sent if "/__admin/requests?since=" in url]
    assert statistics.median(b - a for a, b in zip(polls, polls[1:], strict=False)) < 1.5  # it asks about once a second
    watch.shot(tmp_path, "journal")

    page.fill("#journal-status", "404")
    page.dispatch_event("#journal-status", "change")
    until(page, "document.querySelectorAll('[data-table=journal] tbody tr').length === 4")
    assert [row[2] for row in watch.rows("journal")] == [
        r["path"] for r in admin(ui_server, "/requests?status=404")["requests"][::-1]]
    page.select_option("#journal-operation", "getInteractionByExternalId")
    page.click('[data-table="journal"] tbody tr')
    newest = admin(ui_server, "/requests?status=404&operation=getInteractionByExternalId")["requests"][-1]
    assert watch.details() == newest
    assert page.is_visible("#details-curl")
    watch.shot(tmp_path, "journal-request")

    requests.delete(f"{ui_server.root}/__admin/requests", timeout=10)  # emptied elsewhere: the page follows
    until(page, "document.querySelectorAll('[data-table=journal] tbody tr').length === 0")

    page.click('nav [data-panel="faults"]')  # the journal out of sight: no more polling
    page.wait_for_selector("#faults:not([hidden])")
    polls = sum("/__admin/requests" in r.url for r in watch.requests)
    page.wait_for_timeout(2500)
    assert sum("/__admin/requests" in r.url for r in watch.requests) == polls


def test_fault_rules_with_counts_add_remove_and_remove_all(ui_server, dashboard, tmp_path):
    watch = dashboard()
    page = watch.page
    page.click('nav [data-panel="faults"]')
    page.fill("#fault-json", '{"match": {"method": "GET"}, "action": {"status": 503}, "times": 1}')
    page.click("#fault-add")
    page.wait_for_selector('[data-table="faults"] tbody tr')
    assert vendor(ui_server, "GET", f"{CRM}/ext_ticket-42").status_code == 503
    page.click("#faults .refresh")
    until(page, "document.querySelector('[data-table=faults] tbody tr td:nth-child(6)')"
                           ".textContent === '1'")
    [rule] = admin(ui_server, "/faults")["faults"]
    assert watch.rows("faults") == [[rule["id"], json.dumps(rule["match"], separators=(",", ":")),
                                     json.dumps(rule["action"], separators=(",", ":")), "1",
                                     str(rule.get("matched", "")), "1", "Remove"]]
    watch.shot(tmp_path, "faults")

    watch.allowed_errors.append("status of 400")  # a bad rule: the browser logs the server's 400
    page.fill("#fault-json", '{"action": {"status": 700}}')
    page.click("#fault-add")
    page.wait_for_selector("#message.error")
    assert "400" in page.text_content("#message") and "status" in page.text_content("#message")
    page.click('[data-table="faults"] tbody button')
    until(page, "document.querySelectorAll('[data-table=faults] tbody tr').length === 0")
    assert admin(ui_server, "/faults")["faults"] == []
    for _ in range(2):
        admin(ui_server, "/faults", "POST", json={"action": {"status": 500}})
    page.click("#faults .refresh")
    until(page, "document.querySelectorAll('[data-table=faults] tbody tr').length === 2")
    page.click("#faults-clear")
    until(page, "document.querySelectorAll('[data-table=faults] tbody tr').length === 0")
    assert admin(ui_server, "/faults")["faults"] == []


def test_clock_and_settings(ui_server, dashboard, tmp_path):
    watch = dashboard()
    page = watch.page
    page.click('nav [data-panel="clock"]')
    page.fill("#clock-at", "2026-05-01T10:00:00Z")
    page.click("#clock-freeze")
    until(page, "document.querySelector('#clock-now').textContent.startsWith('2026-05-01T10:00:00')")
    assert admin(ui_server, "/clock") == {"now": page.text_content("#clock-now"), "frozen": True}
    page.fill("#clock-seconds", "90")
    page.click("#clock-advance")
    until(page, "document.querySelector('#clock-now').textContent.startsWith('2026-05-01T10:01:30')")
    assert admin(ui_server, "/clock")["now"] == page.text_content("#clock-now")
    page.click("#clock-resume")
    until(page, "document.querySelector('#clock-frozen').textContent === '(running)'")
    assert admin(ui_server, "/clock")["frozen"] is False

    assert page.is_checked("#set-strict") is admin(ui_server, "/settings")["strict"] is False
    page.check("#set-strict")
    page.select_option("#set-idStyle", "genesys")
    page.click("#settings-save")
    until(page, "document.querySelector('#message').textContent === 'settings saved'")
    assert admin(ui_server, "/settings") == {"strict": True, "retainStopped": False, "idStyle": "genesys",
                                          "maxBody": int(page.input_value("#set-maxBody"))}
    watch.shot(tmp_path, "clock-and-settings")


def test_reset_and_the_downloads_of_state_and_journal(ui_server, dashboard, tmp_path):
    vendor(ui_server, "POST", CRM, json={"externalId": "to-be-reset"})
    watch = dashboard()
    page = watch.page
    page.wait_for_selector('[data-table="interactions-crm-tasks"] tbody tr')
    for button, path in (("#download-state", "/state"), ("#download-journal", "/requests")):
        with page.expect_download() as download:
            page.click(button)
        assert json.loads(Path(download.value.path()).read_text(encoding="utf-8")) == admin(ui_server, path)
    page.click("#reset")  # the confirm dialog is accepted
    until(page, "!document.querySelector('#services').textContent.includes('to-be-reset')")
    assert "reset" in page.text_content("#message")
    assert "to-be-reset" not in json.dumps(admin(ui_server, "/interactions"))
    watch.shot(tmp_path, "after-reset")


def test_the_namespace_selector_switches_every_call(ui_server, dashboard, tmp_path):
    vendor(ui_server, "POST", f"/__ns/team-a{CRM}", json={"externalId": "only-in-team-a"})
    watch = dashboard(path="/__ns/team-a/__admin/ui")
    page = watch.page
    page.wait_for_selector('[data-table="interactions-crm-tasks"] tbody tr')
    assert page.input_value("#namespace") == "team-a"
    assert "only-in-team-a" in page.text_content("#services")
    page.select_option("#namespace", "default")
    until(page, "!document.querySelector('#services').textContent.includes('only-in-team-a')")
    assert page.url == f"{ui_server.root}/__admin/ui"
    assert [row[0] for row in watch.rows("interactions-crm-tasks")] == [
        i["id"] for i in admin(ui_server, "/interactions?service=crm-tasks")["interactions"]]
    watch.shot(tmp_path, "namespace")


def test_with_an_admin_token_nothing_shows_until_it_is_typed_then_each_call_carries_it(browser, tmp_path):
    with MockNexus(fixtures=[str(FIXTURES)], port=0, admin_token="s3cret") as nexus:
        watch = chromium.Watched(browser, nexus.root)
        try:
            page = watch.open("/__ns/secret-ns/__admin/ui")
            page.wait_for_selector("#login:not([hidden])")
            assert page.is_hidden("#panels") and page.is_hidden("#tabs")
            assert "ticket-42" not in page.content()
            assert not [r for r in watch.requests if "/__admin/" in r.url and "/__admin/ui" not in r.url]
            names = requests.get(f"{nexus.root}/__admin/namespaces", headers={"Authorization": "Bearer s3cret"},
                                 timeout=10).json()["namespaces"]
            assert [n["name"] for n in names] == ["default"]  # opening the page made no namespace
            watch.shot(tmp_path, "token")

            watch.allowed_errors.append("401")  # the wrong token's answer, which the browser logs
            page.fill("#token", "wrong")
            page.click("#login button")
            until(page, "document.querySelector('#message').textContent.includes('refused')")
            assert page.is_hidden("#panels")
            page.fill("#token", "s3cret")
            page.click("#login button")
            page.wait_for_selector('[data-table="interactions-crm-tasks"] tbody tr')
            page.click('nav [data-panel="journal"]')
            page.wait_for_selector("#journal:not([hidden])")
            calls = [r for r in watch.requests if "/__admin/" in r.url and "/__admin/ui" not in r.url]
            assert calls and all(r.headers.get("authorization") in ("Bearer s3cret", "Bearer wrong") for r in calls)
            assert calls[-1].headers["authorization"] == "Bearer s3cret"
            watch.assert_clean()
        finally:
            watch.close()
