"""The admin client's methods for the contact center's side: §5 moves, §5.1 lifecycles, §6 webhooks and deliveries."""

from urllib.parse import quote


class ContactCenter:
    """Mixed into AdminClient (and so the pytest handle). `ref` is an interaction id or `ext_<externalId>`."""

    # -- moves (§5): each answers the interaction as the admin API shows it -----------------------
    def route(self, service: str, ref: str) -> dict:
        """queued → routing."""
        return self._move(service, ref, "route")

    def handle(self, service: str, ref: str, agent: str | None = None) -> dict:
        """queued or routing → handling, by `agent`."""
        return self._move(service, ref, "handle", {"agent": agent} if agent is not None else None)

    def requeue(self, service: str, ref: str) -> dict:
        """routing or handling → queued."""
        return self._move(service, ref, "requeue")

    def agent_update(self, service: str, ref: str, changed: dict | None = None, added: dict | None = None,
                     deleted=None) -> dict:
        """Change userData as the agent desktop would (the vendor's update rules)."""
        parts = {"changedProperties": changed, "addedProperties": added,
                 "deletedProperties": list(deleted) if deleted is not None else None}
        return self._move(service, ref, "update", {k: v for k, v in parts.items() if v is not None})

    def agent_stop(self, service: str, ref: str, by: str = "agent", reason_system_name: str | None = None,
                   reason_description: str | None = None) -> dict:
        """Stopped by the agent (or by="workflow" / "system"): the client's next call gets a 404."""
        body = {"by": by, "reasonSystemName": reason_system_name, "reasonDescription": reason_description}
        return self._move(service, ref, "stop", {k: v for k, v in body.items() if v is not None})

    # -- lifecycle (§5.1) --------------------------------------------------------------------------
    def lifecycle(self, service: str) -> list[dict]:
        return self.call("GET", f"/services/{quote(service, safe='')}/lifecycle")["lifecycle"]

    def set_lifecycle(self, service: str, steps: list[dict]) -> list[dict]:
        """Steps for interactions created from now on, e.g. [{"after": 2, "action": "route"}]; [] removes it."""
        return self.call("PUT", f"/services/{quote(service, safe='')}/lifecycle", {"lifecycle": steps})["lifecycle"]

    # -- webhooks (§6) -------------------------------------------------------------------------------
    def add_webhook(self, url: str, **options) -> dict:
        """Register `url` (options: secret, events, services, retries, retryDelayMs, timeoutMs, id)."""
        return self.call("POST", "/webhooks", {"url": url, **options})

    def webhooks(self) -> list[dict]:
        return self.call("GET", "/webhooks")["webhooks"]

    def remove_webhook(self, webhook_id: str) -> None:
        self.call("DELETE", f"/webhooks/{quote(webhook_id, safe='')}")

    def clear_webhooks(self) -> None:
        self.call("DELETE", "/webhooks")

    def deliveries(self, **match) -> list[dict]:
        """Delivery records oldest first; match on webhook, event, state; limit=K."""
        return self.call("GET", "/webhooks/deliveries", params=match)["deliveries"]

    def wait_for_delivery(self, count: int = 1, timeout: float = 5, **match) -> list[dict]:
        """Block until `count` deliveries match (webhook, event, state="delivered"...); WaitTimeout when they
        do not within `timeout` seconds."""
        return self._wait("/webhooks/deliveries/wait", "deliveries", f"wait_for_delivery({count}, {match})", count,
                          timeout, match)

    def _move(self, service: str, ref: str, move: str, body=None) -> dict:
        return self.call("POST", f"/interactions/{quote(service, safe='')}/{quote(ref, safe='')}/{move}", body)
