"""The MLflow source: a running tracking server's experiments, runs and model registry as evidence.

`MlflowSource(uri).collect(catalog)` reads the server over its REST API (httpx; the `mlflow`
package is not needed) and reports the practices MLflow can show, present or absent, with
citable URIs (`experiments:/1`, `runs:/<id>`, `models:/churn/3`) and a short literal reason:

- dev.experiment_tracking: runs with params and metrics, started within `recent_days`;
- deploy.registry: registered models with at least one version;
- data.lineage: runs that record a git commit (`mlflow.source.git.commit`) and a dataset input;
- gov.approval: versions tagged by a recorded approval (`approved_by`, `validation_status=approved`…);
- gov.model_card: registered model or version descriptions of at least `card_min_words` words;
- deploy.model_gate: promoted versions (alias, or stage Staging/Production) whose source run or
  logged model carries evaluation metrics, or a passing validation tag.

Practices the catalog does not mark `observed_by: [..., mlflow]` are not reported. Reading is
bounded: pages of `page_size`, at most `max_runs` runs (newest first), `max_experiments`,
`max_models`, `max_versions`, `max_detail_reads` single-item reads, `timeout` seconds per request
and `deadline` seconds in all. When a cap is hit or an endpoint fails after the first answer, the
run is "partial" and a practice that was not found in the data read is unknown, not absent. When
the server cannot be read at all (unreachable, 401/403, not an MLflow API, server error), the run
is "failed" with one line, and no observations.

Credentials come from the environment only, as the MLflow client reads them:
MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD (basic), else MLFLOW_TRACKING_TOKEN (bearer);
MLFLOW_TRACKING_INSECURE_TLS=true and MLFLOW_TRACKING_SERVER_CERT_PATH set TLS verification.
A URI with credentials in it is refused (they would show in shell history and process lists).

Why the REST API and not the `mlflow` package: the package is large (hundreds of MB with its
dependencies) and this source needs a dozen read-only endpoints; httpx gives pooled connections,
timeouts and bounded streaming reads. The endpoints are stable since MLflow 2.x; MLflow 3 adds
logged models, read when present.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import httpx

from .. import __version__
from ..model.evidence import Evidence, Observation, PracticeStatus, SourceRun
from ..model.framework import PracticeCatalog
from .base import SourceResult

__all__ = ["MlflowSource", "SOURCE_NAME", "ENV_URI"]

SOURCE_NAME = "mlflow"
ENV_URI = "MLFLOW_TRACKING_URI"
API = "/api/2.0/mlflow"

EVIDENCE_CAP = 5  # evidence items per practice; the first one counts the rest
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_ARTIFACT_BYTES = 1024 * 1024

GIT_COMMIT_TAG = "mlflow.source.git.commit"
AUTOLOG_TAG = "mlflow.autologging"
LOG_MODEL_HISTORY_TAG = "mlflow.log-model.history"
PROMPT_TAG = "mlflow.prompt.is_prompt"
PROMOTION_STAGES = {"staging", "production"}

# Tags a recorded human approval leaves on a model version (compared after lower-casing and
# turning "-", " " and "." into "_").
APPROVER_KEYS = {"approved_by", "approver", "approvers", "reviewed_by", "reviewer", "signed_off_by", "signoff_by", "sign_off_by"}
APPROVAL_STATUS_KEYS = {"approval_status", "approval", "approved", "review_status", "validation_status", "model_validation_status"}
APPROVED_VALUES = {"approved", "true", "yes", "accepted", "signed_off"}
# Tags an automated validation leaves; a passing value on a promoted version is a gate record.
VALIDATION_KEYS = {"validation_status", "model_validation_status", "validation", "validation_result", "eval_status", "evaluation_status", "gate", "quality_gate"}
PASSING_VALUES = {"passed", "pass", "success", "succeeded", "validated", "ok"}
# A metric is an evaluation metric when one of its name's tokens says so: val_auc, test/accuracy,
# eval_f1, validation_loss, holdout_rmse. Dataset inputs with an evaluation context count too.
EVAL_TOKENS = {"eval", "evaluation", "val", "valid", "validation", "test", "holdout", "heldout"}


class ReadError(Exception):
    """One request failed; the message is one line. `status` is the HTTP status, if there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class OutOfBudget(ReadError):
    """The overall deadline passed."""


# ----------------------------------------------------------------------------- defensive access
def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dicts(value) -> list[dict]:
    return [v for v in _list(value) if isinstance(v, dict)]


def _str(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _int(value) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _kv(items) -> dict[str, str]:
    """MLflow's [{key, value}] lists as a dict."""
    return {_str(t.get("key")): _str(t.get("value")) for t in _dicts(items) if _str(t.get("key"))}


def _norm_key(key: str) -> str:
    return re.sub(r"[-. ]+", "_", key.strip().lower())


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ago(ms: int, now: datetime) -> str:
    seconds = max(0.0, now.timestamp() - ms / 1000)
    if seconds < 3600:
        return "less than an hour ago"
    if seconds < 48 * 3600:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return f"{int(seconds // 86400)} days ago"


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _is_eval_metric(key: str) -> bool:
    return bool(EVAL_TOKENS & set(re.split(r"[^a-z0-9]+", key.lower())))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# ----------------------------------------------------------------------------- what was read
@dataclass
class Run:
    id: str
    name: str
    experiment_id: str
    start_time: int | None
    params: dict[str, str]
    metrics: dict[str, tuple[float | None, int | None]]  # key -> (value, timestamp ms)
    tags: dict[str, str]
    datasets: list[tuple[str, str]]  # (name, context)
    logs_model: bool

    @classmethod
    def parse(cls, raw: dict) -> Run | None:
        info = raw.get("info") if isinstance(raw.get("info"), dict) else {}
        data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
        inputs = raw.get("inputs") if isinstance(raw.get("inputs"), dict) else {}
        outputs = raw.get("outputs") if isinstance(raw.get("outputs"), dict) else {}
        rid = _str(info.get("run_id")) or _str(info.get("run_uuid"))
        if not rid:
            return None
        tags = _kv(data.get("tags"))
        metrics: dict[str, tuple[float | None, int | None]] = {}
        for m in _dicts(data.get("metrics")):
            key = _str(m.get("key"))
            if key:
                value = m.get("value")
                metrics[key] = (value if isinstance(value, (int, float)) else None, _int(m.get("timestamp")))
        datasets = []
        for d in _dicts(inputs.get("dataset_inputs")):
            ds = d.get("dataset") if isinstance(d.get("dataset"), dict) else {}
            context = _kv(d.get("tags")).get("mlflow.data.context", "")
            datasets.append((_str(ds.get("name")) or _str(ds.get("digest")) or "unnamed", context))
        return cls(
            id=rid,
            name=_str(info.get("run_name")) or tags.get("mlflow.runName", ""),
            experiment_id=_str(info.get("experiment_id")),
            start_time=_int(info.get("start_time")),
            params=_kv(data.get("params")),
            metrics=metrics,
            tags=tags,
            datasets=datasets,
            logs_model=bool(_dicts(outputs.get("model_outputs"))) or LOG_MODEL_HISTORY_TAG in tags,
        )

    def eval_metrics(self, not_after: int | None = None) -> list[str]:
        """Evaluation metrics, optionally only those logged no later than `not_after` (ms)."""
        eval_inputs = any(_is_eval_metric(ctx) for _, ctx in self.datasets)
        out = []
        for key, (_, ts) in self.metrics.items():
            if not (eval_inputs or _is_eval_metric(key)):
                continue
            if not_after is not None and ts is not None and ts > not_after:
                continue
            out.append(key)
        return sorted(out)


@dataclass
class Version:
    model: str
    version: str
    stage: str
    description: str
    run_id: str
    source: str
    model_id: str
    created: int | None
    updated: int | None
    tags: dict[str, str]
    aliases: list[str] = field(default_factory=list)
    signature: bool | None = None  # None: not read
    input_example: bool | None = None

    @classmethod
    def parse(cls, raw: dict) -> Version | None:
        name, version = _str(raw.get("name")), _str(raw.get("version"))
        if not name or not version:
            return None
        source = _str(raw.get("source"))
        model_id = _str(raw.get("model_id"))
        if not model_id and source.startswith("models:/m-"):
            model_id = source[len("models:/"):].split("/")[0]
        return cls(
            model=name,
            version=version,
            stage=_str(raw.get("current_stage")),
            description=_str(raw.get("description")),
            run_id=_str(raw.get("run_id")),
            source=source,
            model_id=model_id,
            created=_int(raw.get("creation_timestamp")),
            updated=_int(raw.get("last_updated_timestamp")),
            tags=_kv(raw.get("tags")),
            aliases=[_str(a) for a in _list(raw.get("aliases")) if _str(a)],
        )

    @property
    def uri(self) -> str:
        return f"models:/{self.model}/{self.version}"

    @property
    def staged(self) -> bool:
        return self.stage.lower() in PROMOTION_STAGES

    @property
    def promoted(self) -> bool:
        return bool(self.aliases) or self.staged

    def promotion(self) -> str:
        parts = [f"alias '{a}'" for a in self.aliases]
        if self.staged:
            parts.append(f"stage {self.stage}")
        return ", ".join(parts)

    def sort_key(self) -> tuple:
        n = _int(self.version)
        return (n is None, n if n is not None else 0, self.version)


@dataclass
class Model:
    name: str
    description: str
    tags: dict[str, str]
    aliases: dict[str, str]  # alias -> version
    latest: list[Version]

    @classmethod
    def parse(cls, raw: dict) -> Model | None:
        name = _str(raw.get("name"))
        if not name:
            return None
        aliases = {}
        for a in _dicts(raw.get("aliases")):
            if _str(a.get("alias")) and _str(a.get("version")):
                aliases[_str(a.get("alias"))] = _str(a.get("version"))
        latest = [v for v in (Version.parse(x) for x in _dicts(raw.get("latest_versions"))) if v]
        return cls(name=name, description=_str(raw.get("description")), tags=_kv(raw.get("tags")), aliases=aliases, latest=latest)


@dataclass
class Part:
    """One kind of data: what was read, and whether it is all there is."""

    complete: bool = True
    problem: str = ""  # why not complete

    def limit(self, problem: str) -> None:
        if self.complete:
            self.complete, self.problem = False, problem


@dataclass
class Snapshot:
    experiments: dict[str, str] = field(default_factory=dict)  # id -> name
    runs: dict[str, Run] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    versions: dict[tuple[str, str], Version] = field(default_factory=dict)
    extra_runs: dict[str, Run | None] = field(default_factory=dict)  # source runs read one by one
    model_metrics: dict[str, list[str]] = field(default_factory=dict)  # logged model id -> eval metrics
    run_part: Part = field(default_factory=Part)
    registry_part: Part = field(default_factory=Part)
    detail_part: Part = field(default_factory=Part)
    server_version: str = ""

    def run(self, rid: str) -> Run | None:
        return self.runs.get(rid) or self.extra_runs.get(rid)


# ----------------------------------------------------------------------------- the source
class MlflowSource:
    """Reads a running MLflow tracking server. Satisfies `sources.base.Source`."""

    name = SOURCE_NAME

    def __init__(
        self,
        uri: str,
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        deadline: float = 120.0,
        page_size: int = 200,
        max_experiments: int = 1000,
        max_runs: int = 1000,
        max_models: int = 1000,
        max_versions: int = 5000,
        max_detail_reads: int = 100,
        recent_days: int = 90,
        card_min_words: int = 20,
        now: datetime | None = None,
    ) -> None:
        self.uri = (uri or "").strip()
        self.env = os.environ if env is None else env
        self.timeout = float(timeout)
        self.deadline = float(deadline)
        self.page_size = max(1, int(page_size))
        self.max_experiments = max(1, int(max_experiments))
        self.max_runs = max(0, int(max_runs))
        self.max_models = max(1, int(max_models))
        self.max_versions = max(1, int(max_versions))
        self.max_detail_reads = max(0, int(max_detail_reads))
        self.recent_days = int(recent_days)
        self.card_min_words = int(card_min_words)
        self.now = now
        self._t0 = 0.0
        self._reads: dict[str, int] = {}
        self._has_credentials = False

    # -- public
    def collect(self, catalog: PracticeCatalog) -> SourceResult:
        problem = self._check_uri()
        if problem:
            return self._failed(problem)
        try:
            client = self._client()
        except ReadError as exc:
            return self._failed(str(exc))
        self._t0 = time.monotonic()
        self._reads = {}
        snap = Snapshot()
        with client:
            try:
                # The first answer decides whether there is an MLflow server to read at all.
                self._read_experiments(client, snap, first=True)
            except ReadError as exc:
                return self._failed(str(exc))
            snap.server_version = self._server_version(client)
            self._read_runs(client, snap)
            self._read_registry(client, snap)
            self._read_details(client, snap)
        now = self.now or datetime.now(UTC)
        observations = self._observe(catalog, snap, now)
        parts = [p for p in (snap.run_part, snap.registry_part, snap.detail_part) if not p.complete]
        summary = (
            f"read {_plural(len(snap.experiments), 'experiment')}, {_plural(len(snap.runs), 'run')}, "
            f"{_plural(len(snap.models), 'registered model')} with {_plural(len(snap.versions), 'version')} "
            f"from {self.display_uri}" + (f" (MLflow {snap.server_version})" if snap.server_version else "")
        )
        if parts:
            message = "partial: " + "; ".join(dict.fromkeys(p.problem for p in parts)) + "; " + summary
            status = "partial"
        else:
            message, status = summary, "ok"
        return SourceResult(
            run=SourceRun(name=SOURCE_NAME, status=status, message=_one_line(message, 400)),
            observations=tuple(observations),
            subject={"name": self.subject_name},
        )

    @property
    def display_uri(self) -> str:
        return self.uri.rstrip("/")

    @property
    def subject_name(self) -> str:
        """What to call the subject when the server is all that is assessed."""
        return f"mlflow {self.display_uri}"

    # -- setup
    def _failed(self, message: str) -> SourceResult:
        return SourceResult(run=SourceRun(name=SOURCE_NAME, status="failed", message=_one_line(message, 300)))

    def _check_uri(self) -> str | None:
        if not self.uri:
            return "no tracking URI given (--mlflow-uri or MLFLOW_TRACKING_URI)"
        try:
            parts = urlsplit(self.uri)
            parts.port  # noqa: B018  (raises on a bad port)
        except ValueError as exc:
            return f"{self.uri!r} is not a valid URI ({exc})"
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return (
                f"{_one_line(self.uri, 80)!r} is not an http(s) tracking server URI; "
                "this source reads a running MLflow server (e.g. http://127.0.0.1:5000)"
            )
        if parts.username or parts.password:
            self.uri = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
            return (
                f"{self.display_uri}: credentials in the URI are not accepted; "
                "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN)"
            )
        if parts.query or parts.fragment:
            return f"{self.display_uri}: a tracking URI has no query or fragment"
        return None

    def _client(self) -> httpx.Client:
        env = self.env
        user, password = env.get("MLFLOW_TRACKING_USERNAME"), env.get("MLFLOW_TRACKING_PASSWORD")
        token = env.get("MLFLOW_TRACKING_TOKEN")
        auth = None
        headers = {"User-Agent": f"mlops-maturity/{__version__}", "Accept": "application/json"}
        if user and password:
            auth = httpx.BasicAuth(user, password)
        elif user or password:
            missing = "MLFLOW_TRACKING_PASSWORD" if user else "MLFLOW_TRACKING_USERNAME"
            raise ReadError(f"{self.display_uri}: basic auth needs both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD ({missing} is not set)")
        elif token:
            headers["Authorization"] = f"Bearer {token}"
        verify: bool | str = True
        if (env.get("MLFLOW_TRACKING_INSECURE_TLS") or "").lower() in ("true", "1", "yes"):
            verify = False
        elif env.get("MLFLOW_TRACKING_SERVER_CERT_PATH"):
            verify = env["MLFLOW_TRACKING_SERVER_CERT_PATH"]
        self._has_credentials = bool(auth or token)
        return httpx.Client(
            base_url=self.display_uri + "/",
            auth=auth,
            headers=headers,
            timeout=httpx.Timeout(self.timeout),
            verify=verify,
            follow_redirects=True,
            max_redirects=3,
            trust_env=True,  # HTTP(S)_PROXY, NO_PROXY and SSL_CERT_FILE, as the MLflow client honours them
        )

    # -- HTTP
    def _request(self, client: httpx.Client, method: str, path: str, *, params=None, body=None, cap: int = MAX_BODY_BYTES) -> tuple[int, bytes]:
        """One bounded request: (status, body). Raises ReadError for transport problems."""
        if time.monotonic() - self._t0 > self.deadline:
            raise OutOfBudget(f"stopped after {self.deadline:g} s")
        where = f"{self.display_uri}{path}"
        for attempt in range(3):
            t0 = time.monotonic()
            try:
                with client.stream(method, path.lstrip("/"), params=params, json=body) as resp:
                    status = resp.status_code
                    retry_after = resp.headers.get("Retry-After", "")
                    data = bytearray()
                    for chunk in resp.iter_bytes():
                        data += chunk
                        if len(data) > cap:
                            raise ReadError(f"{where}: the answer is larger than {cap // (1024 * 1024)} MiB")
                        if time.monotonic() - t0 > self.timeout:
                            raise httpx.ReadTimeout("slow answer")
            except httpx.TimeoutException:
                raise ReadError(f"{self.display_uri}: no answer within {self.timeout:g} s ({method} {path})") from None
            except httpx.ConnectError as exc:
                reason = _one_line(str(exc) or type(exc).__name__, 120)
                if "refused" in reason.lower():
                    reason = "connection refused"
                raise ReadError(f"cannot connect to {self.display_uri} ({reason})") from None
            except httpx.TooManyRedirects:
                raise ReadError(f"{where}: too many redirects") from None
            except httpx.HTTPError as exc:
                raise ReadError(f"{where}: {_one_line(str(exc) or type(exc).__name__, 120)}") from None
            if status in (429, 503) and attempt < 2:
                wait = min(float(retry_after), 5.0) if retry_after.isdigit() else 0.5 * (attempt + 1)
                time.sleep(wait)
                continue
            return status, bytes(data)
        return status, bytes(data)

    def _api(self, client: httpx.Client, method: str, endpoint: str, *, params=None, body=None) -> dict:
        """A REST API call that must succeed with a JSON object. Raises ReadError with one line."""
        path = f"{API}/{endpoint}"
        status, data = self._request(client, method, path, params=params, body=body)
        if status == 200:
            try:
                doc = json.loads(data or b"{}")
            except (ValueError, UnicodeDecodeError):
                raise ReadError(f"{self.display_uri}: not an MLflow tracking server (the answer to {endpoint} is not JSON)") from None
            if not isinstance(doc, dict):
                raise ReadError(f"{self.display_uri}: not an MLflow tracking server (unexpected answer to {endpoint})")
            return doc
        detail = ""
        try:
            err = json.loads(data)
            if isinstance(err, dict) and (err.get("error_code") or err.get("message")):
                detail = f": {_str(err.get('error_code'))} {_str(err.get('message'))}".rstrip()
        except (ValueError, UnicodeDecodeError):
            pass
        if status == 401:
            hint = (
                "the credentials were rejected (check MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN)"
                if self._has_credentials
                else "set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
            )
            raise ReadError(f"{self.display_uri}: authentication required (HTTP 401 on {endpoint}); {hint}", status)
        if status == 403:
            raise ReadError(f"{self.display_uri}: permission denied (HTTP 403 on {endpoint}){_one_line(detail, 120)}", status)
        if status in (404, 405):
            raise ReadError(
                f"{self.display_uri}: no MLflow REST API here (HTTP {status} on {path}): "
                "not an MLflow tracking server, or a version without this endpoint",
                status,
            )
        if status >= 500:
            raise ReadError(f"{self.display_uri}: server error (HTTP {status} on {endpoint}){_one_line(detail, 120)}", status)
        raise ReadError(f"{self.display_uri}: HTTP {status} on {endpoint}{_one_line(detail, 160)}", status)

    def _pages(self, client, method: str, endpoint: str, key: str, request: Callable[[str | None], dict]) -> Iterator[tuple[list[dict], bool]]:
        """Yield (items, more pages follow) for each page, following next_page_token."""
        token: str | None = None
        seen: set[str] = set()
        empty = 0
        while True:
            req = request(token)
            if method == "GET":
                doc = self._api(client, method, endpoint, params=req)
            else:
                doc = self._api(client, method, endpoint, body=req)
            items = _dicts(doc.get(key))
            token = _str(doc.get("next_page_token")) or None
            yield items, token is not None
            if token is None:
                return
            if token in seen:
                raise ReadError(f"{self.display_uri}: {endpoint} repeated a page token")
            seen.add(token)
            empty = empty + 1 if not items else 0
            if empty >= 3:
                raise ReadError(f"{self.display_uri}: {endpoint} returned empty pages")

    # -- reading
    def _read_experiments(self, client, snap: Snapshot, *, first: bool) -> None:
        def request(token):
            req = {"max_results": min(self.page_size, self.max_experiments), "view_type": "ACTIVE_ONLY", "order_by": ["last_update_time DESC"]}
            if token:
                req["page_token"] = token
            return req

        try:
            for items, more in self._pages(client, "POST", "experiments/search", "experiments", request):
                for e in items:
                    eid = _str(e.get("experiment_id"))
                    if eid and _str(e.get("lifecycle_stage")) != "deleted" and len(snap.experiments) < self.max_experiments:
                        snap.experiments[eid] = _str(e.get("name")) or eid
                if len(snap.experiments) >= self.max_experiments:
                    if more:
                        snap.run_part.limit(f"read the {self.max_experiments} most recently updated experiments only")
                    return
        except ReadError as exc:
            if first and not snap.experiments:
                raise
            snap.run_part.limit(f"experiments: {exc}")

    def _read_runs(self, client, snap: Snapshot) -> None:
        ids = list(snap.experiments)
        chunks = [ids[i : i + 100] for i in range(0, len(ids), 100)]
        try:
            for ci, chunk in enumerate(chunks):
                remaining = self.max_runs - len(snap.runs)
                if remaining <= 0:
                    snap.run_part.limit(f"read only the newest {_plural(self.max_runs, 'run')} (the server has more)")
                    return

                def request(token, chunk=chunk):
                    req = {
                        "experiment_ids": chunk,
                        "max_results": max(1, min(self.page_size, self.max_runs - len(snap.runs))),
                        "order_by": ["attributes.start_time DESC"],
                        "run_view_type": "ACTIVE_ONLY",
                    }
                    if token:
                        req["page_token"] = token
                    return req

                for items, more in self._pages(client, "POST", "runs/search", "runs", request):
                    for raw in items:
                        run = Run.parse(raw)
                        if run and len(snap.runs) < self.max_runs:
                            snap.runs[run.id] = run
                    if len(snap.runs) >= self.max_runs:
                        # More pages, or more experiments to read: the cap cut the data.
                        if more or ci + 1 < len(chunks):
                            snap.run_part.limit(f"read only the newest {_plural(self.max_runs, 'run')} (the server has more)")
                        return
        except ReadError as exc:
            snap.run_part.limit(f"runs: {exc}")

    def _read_registry(self, client, snap: Snapshot) -> None:
        def request_models(token):
            req: dict = {"max_results": min(self.page_size, self.max_models, 1000)}
            if token:
                req["page_token"] = token
            return req

        try:
            for items, more in self._pages(client, "GET", "registered-models/search", "registered_models", request_models):
                for raw in items:
                    m = Model.parse(raw)
                    if m and m.tags.get(PROMPT_TAG, "").lower() != "true" and len(snap.models) < self.max_models:
                        snap.models[m.name] = m
                if len(snap.models) >= self.max_models:
                    if more:
                        snap.registry_part.limit(f"read {self.max_models} registered models only")
                    break
        except ReadError as exc:
            snap.registry_part.limit(f"registered models: {exc}")
            return

        def request_versions(token):
            req: dict = {"max_results": min(self.page_size, self.max_versions)}
            if token:
                req["page_token"] = token
            return req

        try:
            for items, more in self._pages(client, "GET", "model-versions/search", "model_versions", request_versions):
                for raw in items:
                    v = Version.parse(raw)
                    if v and v.model in snap.models and v.tags.get(PROMPT_TAG, "").lower() != "true" and len(snap.versions) < self.max_versions:
                        snap.versions[(v.model, v.version)] = v
                if len(snap.versions) >= self.max_versions:
                    if more:
                        snap.registry_part.limit(f"read {self.max_versions} model versions only")
                    break
        except ReadError as exc:
            snap.registry_part.limit(f"model versions: {exc}")
        # Versions the search did not return but the model lists (e.g. the search failed).
        for m in snap.models.values():
            for v in m.latest:
                snap.versions.setdefault((v.model, v.version), v)
        # Aliases live on the registered model.
        for m in snap.models.values():
            for alias, version in m.aliases.items():
                v = snap.versions.get((m.name, version))
                if v is not None and alias not in v.aliases:
                    v.aliases.append(alias)

    def _read_details(self, client, snap: Snapshot) -> None:
        """Single-item reads, bounded: promoted versions' source runs and logged models, and the
        MLmodel file (signature, input example) of each model's promoted and newest versions."""
        by_model: dict[str, list[Version]] = {}
        for v in snap.versions.values():
            by_model.setdefault(v.model, []).append(v)
        promoted = sorted((v for v in snap.versions.values() if v.promoted), key=lambda v: (v.model, v.sort_key()))
        newest = [max(vs, key=Version.sort_key) for vs in by_model.values()]
        try:
            for v in promoted:
                if v.run_id and snap.run(v.run_id) is None and v.run_id not in snap.extra_runs:
                    snap.extra_runs[v.run_id] = self._get_run(client, v.run_id)
                if v.model_id and v.model_id not in snap.model_metrics:
                    snap.model_metrics[v.model_id] = self._logged_model_eval_metrics(client, v.model_id)
        except ReadError as exc:
            snap.detail_part.limit(f"details: {exc}")
        # Signatures and input examples describe the registry; no verdict depends on them, so a
        # read that fails or runs out of budget only leaves them unread.
        try:
            done: set[int] = set()
            for v in [*promoted, *newest]:
                if id(v) not in done:
                    done.add(id(v))
                    self._read_mlmodel(client, v)
        except ReadError:
            pass

    def _spend(self, kind: str) -> None:
        n = self._reads.get(kind, 0)
        if n >= self.max_detail_reads:
            raise ReadError(f"read {self.max_detail_reads} {kind} one by one only")
        self._reads[kind] = n + 1

    def _get_run(self, client, run_id: str) -> Run | None:
        self._spend("source runs")
        try:
            doc = self._api(client, "GET", "runs/get", params={"run_id": run_id})
        except ReadError as exc:
            if exc.status in (400, 404):
                return None  # deleted, or never existed: nothing to learn
            raise
        raw = doc.get("run")
        return Run.parse(raw) if isinstance(raw, dict) else None

    def _logged_model_eval_metrics(self, client, model_id: str) -> list[str]:
        self._spend("logged models")
        try:
            doc = self._api(client, "GET", f"logged-models/{quote(model_id, safe='')}")
        except ReadError as exc:
            if exc.status in (400, 404, 405, 501):  # an older server without logged models, or gone
                return []
            raise
        model = doc.get("model") if isinstance(doc.get("model"), dict) else {}
        data = model.get("data") if isinstance(model.get("data"), dict) else {}
        return sorted({_str(m.get("key")) for m in _dicts(data.get("metrics")) if _is_eval_metric(_str(m.get("key")))})

    def _read_mlmodel(self, client, v: Version) -> None:
        self._spend("model files")
        status, data = self._request(
            client, "GET", "/model-versions/get-artifact", params={"path": "MLmodel", "name": v.model, "version": v.version}, cap=MAX_ARTIFACT_BYTES
        )
        if status != 200:
            return  # not available (older server, no MLmodel): stays unknown
        text = data.decode("utf-8", "replace")
        # A text check, not a YAML parse: top-level keys of the MLmodel file.
        v.signature = bool(re.search(r"(?m)^signature:[ \t]*\n[ \t]+(inputs|outputs):[ \t]*\S", text))
        v.input_example = bool(re.search(r"(?m)^saved_input_example_info:[ \t]*\n[ \t]+\S", text))

    def _server_version(self, client) -> str:
        try:
            status, data = self._request(client, "GET", "/version", cap=1024)
        except ReadError:
            return ""
        text = data.decode("utf-8", "replace").strip()
        return text if status == 200 and re.fullmatch(r"\d+\.\d+[\w.+-]{0,30}", text) else ""

    # -- practices
    def _observe(self, catalog: PracticeCatalog, snap: Snapshot, now: datetime) -> list[Observation]:
        judges = {
            "dev.experiment_tracking": (self._tracking, snap.run_part),
            "deploy.registry": (self._registry, snap.registry_part),
            "data.lineage": (self._lineage, snap.run_part),
            "gov.approval": (self._approval, snap.registry_part),
            "gov.model_card": (self._model_card, snap.registry_part),
            "deploy.model_gate": (self._model_gate, None),
        }
        out = []
        for practice in catalog.practices:
            if practice.retired or SOURCE_NAME not in practice.observed_by:
                continue
            judge = judges.get(practice.id) or next((judges[a] for a in practice.aliases if a in judges), None)
            if judge is None:
                continue
            fn, part = judge
            evidence, reason, incomplete = fn(snap, now)
            if part is not None and not part.complete:
                incomplete = incomplete or part.problem
            if evidence:
                status, note = PracticeStatus.PRESENT, ""
            elif incomplete:
                status, note = PracticeStatus.UNKNOWN, f"{reason}, but the data read is incomplete ({incomplete})"
            else:
                status, note = PracticeStatus.ABSENT, reason
            ev = tuple(Evidence(path=p, snippet=_one_line(s, 120), message=_one_line(m, 160), detector=d) for p, m, s, d in evidence[:EVIDENCE_CAP])
            out.append(Observation(practice=practice.id, status=status, source=SOURCE_NAME, evidence=ev, note=_one_line(note, 300)))
        return out

    def _tracking(self, snap: Snapshot, now: datetime):
        runs = list(snap.runs.values())
        tracked = [r for r in runs if r.params and r.metrics]
        since = (now.timestamp() - self.recent_days * 86400) * 1000
        recent = [r for r in tracked if r.start_time is not None and r.start_time >= since]
        if not recent:
            if tracked:
                newest = max((r.start_time for r in tracked if r.start_time is not None), default=None)
                when = f"the newest started {_ago(newest, now)}" if newest is not None else "none has a start time"
                return [], f"{_plural(len(tracked), 'run')} with params and metrics, but {when} (recent means within {self.recent_days} days)", ""
            if runs:
                return [], f"{_plural(len(runs), 'run')}, none with both params and metrics", ""
            return [], f"no runs in {_plural(len(snap.experiments), 'experiment')}", ""
        by_exp: dict[str, list[Run]] = {}
        for r in recent:
            by_exp.setdefault(r.experiment_id, []).append(r)
        evidence = []
        for eid, rs in sorted(by_exp.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            newest = max(rs, key=lambda r: r.start_time or 0)
            name = snap.experiments.get(eid, eid)
            message = f"{_plural(len(rs), 'run')} with params and metrics in experiment '{name}', newest {_ago(newest.start_time or 0, now)}"
            autolog = sorted({r.tags[AUTOLOG_TAG] for r in rs if r.tags.get(AUTOLOG_TAG)})
            if autolog:
                message += f"; autologged ({', '.join(autolog)})"
            with_models = sum(1 for r in rs if r.logs_model)
            if with_models:
                message += f"; {_plural(with_models, 'run')} logged a model"
            params = sorted({k for r in rs for k in r.params})
            metrics = sorted({k for r in rs for k in r.metrics})
            snippet = f"params: {', '.join(params[:5])}; metrics: {', '.join(metrics[:5])}"
            evidence.append((f"experiments:/{eid}", message, snippet, "mlflow-runs"))
        return evidence, "", ""

    def _registry(self, snap: Snapshot, now: datetime):
        by_model: dict[str, list[Version]] = {}
        for v in snap.versions.values():
            by_model.setdefault(v.model, []).append(v)
        if not by_model:
            if snap.models:
                return [], f"{_plural(len(snap.models), 'registered model')}, none with a version", ""
            return [], "no registered models", ""
        evidence = []
        for name, vs in sorted(by_model.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            vs.sort(key=Version.sort_key)
            newest = vs[-1]
            parts = [f"registered model '{name}': {_plural(len(vs), 'version')}"]
            aliases = [f"{a}→{v.version}" for v in vs for a in v.aliases]
            if aliases:
                parts.append("aliases " + ", ".join(aliases))
            stages = [f"{v.stage}→{v.version}" for v in vs if v.staged]
            if stages:
                parts.append("stages " + ", ".join(stages))
            sig = [v.version for v in vs if v.signature]
            if sig:
                parts.append(f"signature on {'version' if len(sig) == 1 else 'versions'} {', '.join(sig)}")
            ex = [v.version for v in vs if v.input_example]
            if ex:
                parts.append(f"input example on {'version' if len(ex) == 1 else 'versions'} {', '.join(ex)}")
            snippet = f"source {newest.source}" if newest.source else ""
            evidence.append((newest.uri, "; ".join(parts), snippet, "mlflow-registry"))
        return evidence, "", ""

    def _lineage(self, snap: Snapshot, now: datetime):
        runs = sorted(snap.runs.values(), key=lambda r: -(r.start_time or 0))
        linked = [r for r in runs if r.tags.get(GIT_COMMIT_TAG) and r.datasets]
        if not linked:
            with_commit = sum(1 for r in runs if r.tags.get(GIT_COMMIT_TAG))
            with_data = sum(1 for r in runs if r.datasets)
            if not runs:
                return [], "no runs", ""
            return [], f"no run records both a git commit and a dataset input (of {_plural(len(runs), 'run')}: {with_commit} with a git commit, {with_data} with a dataset input)", ""
        evidence = []
        for r in linked:
            name, ctx = r.datasets[0]
            exp = snap.experiments.get(r.experiment_id, r.experiment_id)
            label = f"run '{r.name}'" if r.name else "run"
            message = f"{label} in experiment '{exp}' from git commit {r.tags[GIT_COMMIT_TAG][:7]} with dataset '{name}'" + (f" ({ctx})" if ctx else "")
            if len(linked) > 1 and not evidence:
                message = f"{_plural(len(linked), 'run')} link a git commit and a dataset; " + message
            evidence.append((f"runs:/{r.id}", message, f"{GIT_COMMIT_TAG}={r.tags[GIT_COMMIT_TAG]}", "mlflow-lineage"))
        return evidence, "", ""

    def _approval(self, snap: Snapshot, now: datetime):
        evidence = []
        for v in sorted(snap.versions.values(), key=lambda v: (not v.promoted, v.model, v.sort_key())):
            tags = {_norm_key(k): val.strip() for k, val in v.tags.items()}
            found = next(((k, tags[k]) for k in sorted(APPROVER_KEYS) if tags.get(k)), None)
            if found is None:
                found = next(((k, tags[k]) for k in sorted(APPROVAL_STATUS_KEYS) if tags.get(k, "").lower() in APPROVED_VALUES), None)
            if found is None:
                continue
            message = f"version {v.version} of '{v.model}' tagged {found[0]}={found[1]}"
            if v.promoted:
                message += f", promoted ({v.promotion()})"
            evidence.append((v.uri, message, f"{found[0]}={found[1]}", "mlflow-approval"))
        if evidence:
            return evidence, "", ""
        promoted = [v for v in snap.versions.values() if v.promoted]
        if promoted:
            return [], f"{_plural(len(promoted), 'promoted version')}, none tagged with an approval (approved_by, validation_status=approved, …)", ""
        if snap.versions:
            return [], f"{_plural(len(snap.versions), 'model version')}, none tagged with an approval", ""
        return [], "no model versions", ""

    def _model_card(self, snap: Snapshot, now: datetime):
        evidence = []
        short = 0
        for m in sorted(snap.models.values(), key=lambda m: m.name):
            n = _words(m.description)
            if n >= self.card_min_words:
                evidence.append((f"models:/{m.name}", f"registered model '{m.name}' has a {n}-word description", m.description, "mlflow-description"))
            elif n:
                short += 1
        for v in sorted(snap.versions.values(), key=lambda v: (v.model, v.sort_key())):
            n = _words(v.description)
            if n >= self.card_min_words:
                evidence.append((v.uri, f"version {v.version} of '{v.model}' has a {n}-word description", v.description, "mlflow-description"))
            elif n:
                short += 1
        if evidence:
            return evidence, "", ""
        if not snap.models:
            return [], "no registered models", ""
        if short:
            return [], f"{_plural(short, 'description')} on registered models or versions, all shorter than {self.card_min_words} words", ""
        return [], f"{_plural(len(snap.models), 'registered model')}, none described", ""

    def _model_gate(self, snap: Snapshot, now: datetime):
        promoted = sorted((v for v in snap.versions.values() if v.promoted), key=lambda v: (v.model, v.sort_key()))
        evidence = []
        unread = 0
        for v in promoted:
            # A stage transition updates the version; metrics logged after it came after promotion.
            not_after = v.updated if v.staged and not v.aliases else None
            run = snap.run(v.run_id) if v.run_id else None
            metrics = run.eval_metrics(not_after) if run else []
            metrics += [k for k in snap.model_metrics.get(v.model_id, []) if k not in metrics]
            if v.run_id and run is None and v.run_id not in snap.extra_runs:
                unread += 1
            if metrics:
                source = f"runs:/{v.run_id}" if run and v.run_id else f"logged model {v.model_id}"
                message = f"version {v.version} of '{v.model}' promoted ({v.promotion()}) with evaluation metrics {', '.join(metrics[:4])} in {source}"
                evidence.append((v.uri, message, ", ".join(metrics[:8]), "mlflow-model-gate"))
                continue
            tags = {_norm_key(k): val.strip() for k, val in v.tags.items()}
            passed = next(((k, tags[k]) for k in sorted(VALIDATION_KEYS) if tags.get(k, "").lower() in PASSING_VALUES), None)
            if passed:
                message = f"version {v.version} of '{v.model}' promoted ({v.promotion()}) after validation {passed[0]}={passed[1]}"
                evidence.append((v.uri, message, f"{passed[0]}={passed[1]}", "mlflow-model-gate"))
        if evidence:
            return evidence, "", ""
        incomplete = ""
        if not snap.registry_part.complete:
            incomplete = snap.registry_part.problem
        elif unread or not snap.detail_part.complete:
            incomplete = snap.detail_part.problem or f"{_plural(unread, 'source run')} not read"
        if promoted:
            return [], f"{_plural(len(promoted), 'promoted version')}, none with evaluation metrics in its source run or a passing validation tag", incomplete
        if snap.versions:
            return [], f"{_plural(len(snap.versions), 'model version')}, none promoted (alias or stage Staging/Production)", incomplete
        return [], "no model versions", incomplete
