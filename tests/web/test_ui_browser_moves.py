"""§7 with §5 and §6 in a real browser: the move buttons of a live interaction, and the webhooks panel."""

import requests

from mocknexus.receiver import WebhookReceiver
from tests.web import browser as chromium
from tests.web.browser import admin, vendor

chromium.skip_without_chromium()

CRM = "/nexus/v3/openmedia/crm-tasks/interactions"


def ticket(server) -> dict:
    return next(i for i in admin(server, "/interactions")["interactions"] if i["externalId"] == "ticket-42")


def test_a_live_interaction_has_the_moves_its_state_allows_and_they_do_what_the_api_says(ui_server, dashboard,
                                                                                          tmp_path):
    watch = dashboard()
    page = watch.page
    row = page.locator('[data-table="interactions-crm-tasks"] tbody tr', has_text="ticket-42")

    def buttons():
        return row.locator("button[data-move]").all_text_contents()

    row.wait_for()
    assert buttons() == ["route", "handle", "stop"]  # queued: no requeue
    stopped = page.locator('[data-table="interactions-whatsapp"] tbody tr')
    assert stopped.locator("td:nth-child(3)").text_content() == "stopped"
    assert stopped.locator("button").count() == 0
    watch.shot(tmp_path, "moves")

    page.fill("#agent", "agent-7")
    for move, state, then in (("handle", "handling", ["requeue", "stop"]), ("requeue", "queued", None),
                              ("route", "routing", ["handle", "requeue", "stop"]), ("stop", "stopped", [])):
        row.locator(f'button[data-move="{move}"]').click()
        page.wait_for_function("s => document.querySelector('#message').textContent.endsWith('is ' + s)", arg=state)
        assert ticket(ui_server)["state"] == state
        assert row.locator("td:nth-child(3)").text_content() == state
        if then is not None:
            assert buttons() == then
    assert ticket(ui_server)["stoppedBy"] == "agent"
    assert vendor(ui_server, "GET", f"{CRM}/ext_ticket-42").status_code == 404  # the client, after the agent stopped


def test_the_webhooks_panel_registers_lists_and_shows_deliveries(ui_server, dashboard, tmp_path):
    with WebhookReceiver() as receiver:
        watch = dashboard()
        page = watch.page
        page.click('nav [data-panel="webhooks"]')
        page.fill("#webhook-json", f'{{"url": "{receiver.url}", "events": ["STARTED"]}}')
        page.click("#webhook-add")
        page.wait_for_selector('[data-table="webhooks"] tbody tr')
        [hook] = admin(ui_server, "/webhooks")["webhooks"]
        assert watch.rows("webhooks") == [[hook["id"], receiver.url, "STARTED", "every one", "Remove"]]

        vendor(ui_server, "POST", CRM, json={"externalId": "hooked"})
        admin(ui_server, "/webhooks/deliveries/wait", "POST", json={"match": {"state": "delivered"}})
        page.click("#webhooks .refresh")
        page.wait_for_selector('[data-table="deliveries"] tbody tr')
        [delivery] = admin(ui_server, "/webhooks/deliveries")["deliveries"]
        assert watch.rows("deliveries") == [[str(delivery["id"]), hook["id"], "STARTED", delivery["interactionId"],
                                             "delivered", "1"]]
        page.click('[data-table="deliveries"] tbody tr')
        assert watch.details() == delivery
        page.click("#details-close")
        watch.shot(tmp_path, "webhooks")

        page.click('[data-table="webhooks"] tbody button')
        page.wait_for_function("() => document.querySelectorAll('[data-table=webhooks] tbody tr').length === 0")
        assert admin(ui_server, "/webhooks")["webhooks"] == []


def test_without_the_routes_in_openapi_json_there_are_no_move_buttons_and_no_webhooks_tab(ui_server, browser):
    document = requests.get(f"{ui_server.root}/openapi.json", timeout=10).json()
    document["paths"] = {path: item for path, item in document["paths"].items()
                         if not path.startswith(("/__admin/interactions/", "/__admin/webhooks"))}
    watch = chromium.Watched(browser, ui_server.root)
    try:  # a server without §5 and §6, as the page finds out from its /openapi.json
        watch.context.route("**/openapi.json", lambda route: route.fulfill(json=document))
        page = watch.open()
        page.wait_for_selector('[data-table="interactions-crm-tasks"] tbody tr')
        assert page.locator("button[data-move]").count() == 0
        assert page.locator("th", has_text="moves").count() == 0
        assert page.is_hidden('nav [data-panel="webhooks"]')
        watch.assert_clean()
    finally:
        watch.close()
