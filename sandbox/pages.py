"""Browser pages under ``/_sandbox`` that are not API operations: Swagger UI and the inspector.

Swagger UI 5 (it renders OpenAPI 3.1; the UI bundled with Connexion does not) ships inside the
package under ``static/swagger-ui`` and is never fetched from a CDN. Each page loads a variant of
its document whose first server is this sandbox as the browser reached it, so "Try it out" calls
the sandbox (same origin, no CORS) while ``/_sandbox/openapi/{name}.json`` stays the original.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from sandbox.surfaces import BY_NAME, SURFACES, load_document, parsed_document

STATIC = Path(__file__).resolve().parent / "static"
SANDBOX_SERVER = "Darkroom sandbox"  # the description our documents give their sandbox server
_DOC_ASSETS = {name: STATIC / "swagger-ui" / name
               for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "LICENSE-2.0.txt", "VERSION")}
_DOC_ASSETS["docs.css"] = STATIC / "docs.css"
_UI_ASSETS = {name: STATIC / "ui" / name for name in ("inspector.js", "inspector.css")}
_MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_NAMES = "|".join(re.escape(s.name) for s in SURFACES)
_ROUTES = (
    (re.compile(r"^/_sandbox/docs$"), "docs_root"),
    (re.compile(r"^/_sandbox/docs/$"), "docs_index"),
    (re.compile(rf"^/_sandbox/docs/({_NAMES})$"), "docs_slash"),
    (re.compile(rf"^/_sandbox/docs/({_NAMES})/$"), "docs_page"),
    (re.compile(rf"^/_sandbox/docs/({_NAMES})/openapi\.json$"), "docs_document"),
    (re.compile(r"^/_sandbox/docs/assets/([A-Za-z0-9._-]+)$"), "docs_asset"),
    (re.compile(r"^/_sandbox/ui$"), "ui_slash"),
    (re.compile(r"^/_sandbox/ui/$"), "ui_page"),
    (re.compile(r"^/_sandbox/ui/assets/([A-Za-z0-9._-]+)$"), "ui_asset"),
    (re.compile(r"^/_sandbox/ui/jobs/([a-z0-9-]{1,64})/([A-Za-z0-9_-]{1,64})/results\.json$"), "ui_results"),
)


def origin(scope) -> str:
    """The sandbox as this client reached it (the browser that runs "Try it out")."""
    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 8080)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


def sandbox_document(name: str, base: str) -> dict:
    """The original document with this sandbox as its first server; everything else unchanged."""
    document = load_document(name)
    others = [s for s in document.get("servers") or [] if s.get("description") != SANDBOX_SERVER]
    document["servers"] = [{"url": base + BY_NAME[name].public_base, "description": SANDBOX_SERVER}, *others]
    return document


def _json_default(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class Pages:
    """ASGI app for the HTML pages; the dispatcher asks :meth:`handles` before routing to the APIs."""

    def __init__(self, sandbox):
        self.sandbox = sandbox

    @staticmethod
    def _route(scope):
        if scope.get("type") != "http" or scope.get("method") not in ("GET", "HEAD"):
            return None, None
        for pattern, name in _ROUTES:
            found = pattern.match(scope.get("path", ""))
            if found:
                if name.endswith("_asset") and found.group(1) not in (_DOC_ASSETS if name == "docs_asset" else _UI_ASSETS):
                    return None, None
                return name, found.groups()
        return None, None

    async def handles(self, scope) -> bool:
        """Only GET/HEAD of pages that exist; anything else gets the control plane's 404/405."""
        return self._route(scope)[0] is not None

    async def __call__(self, scope, receive, send):
        name, args = self._route(scope)
        response = getattr(self, name)(scope, *args)
        await response(scope, receive, send)

    # Swagger UI
    def docs_index(self, scope):
        rows = "".join(
            f'<li><a href="{s.name}/">{html.escape(parsed_document(s.name)["info"]["title"])}</a> '
            f'<code>{s.public_base}</code> · <a href="../openapi/{s.name}.yaml">yaml</a> · '
            f'<a href="../openapi/{s.name}.json">json</a></li>' for s in SURFACES)
        body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Darkroom · API documents</title>'
                f'<link rel="stylesheet" href="/_sandbox/docs/assets/docs.css"></head><body class="darkroom-index">'
                f'<h1>Darkroom API documents</h1><ul>{rows}</ul>'
                f'<p><a href="/_sandbox/ui/">Inspector</a></p></body></html>')
        return HTMLResponse(body)

    def docs_root(self, scope):
        return RedirectResponse("/_sandbox/docs/", status_code=308)

    def docs_slash(self, scope, name):
        return RedirectResponse(f"/_sandbox/docs/{name}/", status_code=308)

    def docs_page(self, scope, name):
        title = html.escape(parsed_document(name)["info"]["title"])
        links = " · ".join(f'<a href="../{s.name}/"{" class=current" if s.name == name else ""}>{s.name}</a>'
                           for s in SURFACES)
        options = json.dumps({
            "url": "openapi.json", "dom_id": "#swagger-ui", "deepLinking": True, "validatorUrl": None,
            "persistAuthorization": True, "displayRequestDuration": True, "tryItOutEnabled": True,
        })
        body = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} · Darkroom</title>
<link rel="stylesheet" href="../assets/swagger-ui.css">
<link rel="stylesheet" href="../assets/docs.css">
</head>
<body>
<nav class="darkroom-bar"><strong>Darkroom</strong> {links} ·
<a href="../../openapi/{name}.yaml">original document</a> · <a href="/_sandbox/ui/">inspector</a></nav>
<div id="swagger-ui"></div>
<script src="../assets/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle(Object.assign({options}, {{
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"
}}));
</script>
</body>
</html>
"""
        return HTMLResponse(body)

    def docs_document(self, scope, name):
        document = sandbox_document(name, origin(scope))
        return Response(json.dumps(document, default=_json_default), media_type="application/json",
                        headers={"Cache-Control": "no-store"})

    def docs_asset(self, scope, filename):
        return self._file(_DOC_ASSETS[filename])

    # inspector
    def ui_slash(self, scope):
        return RedirectResponse("/_sandbox/ui/", status_code=308)

    def _admitted(self, scope) -> bool:
        """With an admin token configured, sandbox state is only shown to whoever presents it."""
        token = self.sandbox.config.admin_token
        if not token:
            return True
        sent = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        return sent == f"Bearer {token}"

    def ui_page(self, scope):
        state = _snapshot(self.sandbox) if self._admitted(scope) else None
        return HTMLResponse(_inspector_page(state, locked=bool(self.sandbox.config.admin_token)),
                            headers={"Cache-Control": "no-store"})

    def ui_results(self, scope, surface, job_id):
        """Result file URLs of one job, for the inspector's thumbnails (the control plane lists jobs only)."""
        if not self._admitted(scope):
            return Response(json.dumps({"error": {"code": "unauthorized", "message": "Admin token required."}}),
                            status_code=401, media_type="application/json")
        urls = _result_urls(self.sandbox, surface, job_id)
        if urls is None:
            return Response(json.dumps({"error": {"code": "not_found", "message": "No such job."}}),
                            status_code=404, media_type="application/json")
        return Response(json.dumps({"urls": urls}), media_type="application/json", headers={"Cache-Control": "no-store"})

    def ui_asset(self, scope, filename):
        return self._file(_UI_ASSETS[filename])

    @staticmethod
    def _file(path: Path):
        media = _MEDIA.get(path.suffix, "text/plain; charset=utf-8")
        return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=3600"})


# --------------------------------------------------------------------------- inspector rendering

_THUMB_STATUSES = {"completed", "partially_completed"}


def _result_urls(sandbox, surface: str, job_id: str) -> list[str] | None:
    """Site-relative URLs of a job's finished results (None: no such job)."""
    from sandbox.results import declared, file_url

    job = sandbox.store.get_job(surface, job_id)
    if job is None:
        return None
    now = sandbox.clock.now()
    return [file_url("", declared(sandbox, job, item, variant)["file"])
            for item in job.items if job.item_phase(item, now) == "completed" for variant in range(item.outputs)]


def _snapshot(sandbox, limit: int = 50) -> dict:
    from sandbox.clock import iso

    now = sandbox.clock.now()
    jobs = []
    for job in sandbox.store.all_jobs()[:limit]:
        status = job.phase(now)
        jobs.append({"id": job.id, "surface": job.namespace, "account": job.account, "kind": job.kind,
                     "status": status, "created_at": iso(job.created_at), "credits": job.credits,
                     "results": _result_urls(sandbox, job.namespace, job.id) if status in _THUMB_STATUSES else []})
    accounts = [{"id": a.id, "keys": list(a.keys), "mode": a.mode, "balances": dict(a.balances),
                 "enabled": a.enabled} for a in sandbox.accounts.by_id.values()]
    return {"clock": {"mode": sandbox.clock.mode, "now": iso(now)}, "jobs": jobs, "accounts": accounts}


def _cells(*values) -> str:
    return "".join(f"<td>{html.escape(str(v))}</td>" for v in values)


def _job_row(job: dict) -> str:
    thumbs = "".join(f'<a href="{html.escape(u)}"><img src="{html.escape(u)}" alt="result" loading="lazy"></a>'
                     for u in job["results"][:4])
    return (f'<tr data-job="{html.escape(job["surface"])}/{html.escape(job["id"])}">'
            + _cells(job["created_at"], job["surface"], job["id"], job["account"], job["kind"])
            + f'<td class="status {html.escape(job["status"])}">{html.escape(job["status"])}</td>'
            + _cells(job["credits"]) + f'<td class="thumbs">{thumbs}</td></tr>')


def _account_row(account: dict) -> str:
    balances = ", ".join(f"{k} {v}" for k, v in account["balances"].items())
    return "<tr>" + _cells(account["id"], ", ".join(account["keys"]), account["mode"], balances,
                           "yes" if account["enabled"] else "no") + "</tr>"


def _inspector_page(state: dict | None, *, locked: bool) -> str:
    """Server-rendered first view; ``inspector.js`` then keeps it current from the control plane."""
    clock = state["clock"] if state else {"mode": "?", "now": "?"}
    jobs = "".join(_job_row(j) for j in state["jobs"]) if state else ""
    accounts = "".join(_account_row(a) for a in state["accounts"]) if state else ""
    token = ('<label>Admin token <input id="admin-token" type="password" autocomplete="off"></label>'
             if locked else "")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Darkroom inspector</title>
<link rel="stylesheet" href="/_sandbox/ui/assets/inspector.css">
</head>
<body>
<header>
  <strong>Darkroom inspector</strong>
  <span>clock <b id="clock-mode">{html.escape(clock["mode"])}</b> <time id="clock-now">{html.escape(clock["now"])}</time></span>
  <label>seconds <input id="advance-seconds" type="number" min="0" step="1" value="60"></label>
  <button id="advance-clock" type="button">Advance clock</button>
  <button id="manual-clock" type="button">Manual clock</button>
  <button id="real-clock" type="button">Real clock</button>
  {token}
  <span id="message" role="status"></span>
  <a href="/_sandbox/docs/">API documents</a>
</header>
<main>
<section id="jobs">
  <h2>Jobs</h2>
  <table><thead><tr><th>created</th><th>surface</th><th>id</th><th>account</th><th>kind</th><th>status</th>
  <th>credits</th><th>results</th></tr></thead><tbody id="jobs-body">{jobs}</tbody></table>
</section>
<section id="accounts">
  <h2>Accounts</h2>
  <table><thead><tr><th>id</th><th>keys</th><th>mode</th><th>balances</th><th>enabled</th></tr></thead>
  <tbody id="accounts-body">{accounts}</tbody></table>
</section>
<section id="journal" data-source="/_sandbox/journal?limit=200">
  <h2>Request journal (vendor APIs)</h2>
  <p class="placeholder">Reads <code>/_sandbox/journal</code>.</p>
  <table><thead><tr><th>at</th><th>surface</th><th>method</th><th>path</th><th>status</th><th>account</th>
  <th>request id</th></tr></thead><tbody id="journal-body"></tbody></table>
</section>
<section id="webhooks" data-source="/_sandbox/webhooks?limit=50">
  <h2>Webhook deliveries</h2>
  <p class="placeholder">Reads <code>/_sandbox/webhooks</code>.</p>
  <table><thead><tr><th>job</th><th>event</th><th>url</th><th>status</th><th>attempts</th><th>next attempt</th>
  </tr></thead><tbody id="webhooks-body"></tbody></table>
</section>
</main>
<script src="/_sandbox/ui/assets/inspector.js"></script>
</body>
</html>
"""
