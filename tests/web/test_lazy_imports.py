"""An app starts without marshmallow, apispec, RE2 or the schemas (`serve`'s start-up); each is imported on the
first request that needs it, and that first request answers as any later one (in a fresh process, where it is
first)."""

import json
import subprocess
import sys

from tests.conftest import ROOT

FIRST_REQUESTS = """
import json, sys
from mocknexus.core.config import ServerConfig
from mocknexus.web.app import create_app

app = create_app(ServerConfig(fixtures=["fixtures"], api_keys=["k"], allow_header_faults=True))
heavy = ("marshmallow", "apispec", "re2", "mocknexus.schemas.vendor", "mocknexus.schemas.admin",
         "mocknexus.schemas.faults")
out = {"at start": sorted(m for m in heavy if m in sys.modules)}
client = app.test_client()
base, key = "/nexus/v3/openmedia/crm-tasks/interactions", {"x-api-key": "k"}

def call(name, method, path, **kwargs):
    response = getattr(client, method)(path, **kwargs)
    out[name] = [response.status_code, response.get_json(silent=True)]

call("bad create", "post", base, json={"externalId": 5}, headers=key)
call("create", "post", base, json={"externalId": "lazy-1", "userData": {"A": "b"}}, headers=key)
call("header fault", "get", f"{base}/ext_lazy-1", headers={**key, "X-Mocknexus-Fault": "503"})
call("bad fault", "get", f"{base}/ext_lazy-1", headers={**key, "X-Mocknexus-Fault": "nonsense"})
call("clock", "put", "/__admin/clock", json={"now": "2026-05-01T10:00:00Z"})
call("bad settings", "patch", "/__admin/settings", json={"strict": "yes"})
call("openapi", "get", "/openapi.json")
call("journal by regex", "get", "/__admin/requests", query_string={"path": "interactions$|nothing"})
print(json.dumps(out))
"""


def test_the_first_requests_that_need_a_schema_or_apispec_import_them_and_answer():
    run = subprocess.run([sys.executable, "-c", FIRST_REQUESTS], capture_output=True, text=True, cwd=ROOT, check=True)
    out = json.loads(run.stdout)
    assert out["at start"] == []
    status, body = out["bad create"]
    assert status == 400 and body["status"]["details"] == {"externalId": ["Not a valid string."]}
    assert out["create"][0] == 200 and out["create"][1]["data"]["userData"] == {"A": "b"}
    assert out["header fault"][0] == 503
    assert out["bad fault"][0] == 400
    assert out["clock"][0] == 200 and out["clock"][1]["now"] == "2026-05-01T10:00:00.000Z"
    status, body = out["bad settings"]
    assert status == 400 and body["status"]["details"] == {"strict": ["Not a valid boolean."]}
    assert out["openapi"][0] == 200 and out["openapi"][1]["openapi"] == "3.0.3"
    status, body = out["journal by regex"]  # RE2's pattern: the bad create and the create
    assert status == 200 and [r["status"] for r in body["requests"]] == [400, 200]
