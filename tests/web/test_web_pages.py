"""Pages on SQLite and PostgreSQL: the questionnaire saved per answer and turned into an
assessment (merged with the newest scan when asked), the project page, the portfolio."""

from __future__ import annotations

import re

from web_helpers import api_upload, make_result, unique

from mlops_maturity.model.evidence import Evidence, Observation, PracticeStatus
from mlops_maturity.model.result import Subject
from mlops_maturity.scoring import Inputs, score


def test_questionnaire_saves_each_answer_and_creates_an_assessment(world):
    c = world.client("editor_a")
    name = unique("quest")
    r = c.post_form("/projects", {"team_id": world.team_a, "name": name})
    assert r.status_code == 303
    pid = int(r.headers["location"].split("/")[2])
    page = c.get(f"/projects/{pid}/questionnaire")
    assert page.status_code == 200
    fw = world.app.state.framework
    assert page.text.count('class="q"') + page.text.count('class="q answered"') == len(fw.active_criteria())
    assert all(f'id="dim-{d.id}"' in page.text for d in fw.dimensions)

    r = c.htmx(f"/projects/{pid}/questionnaire/answer", {"criterion": "data.rerunnable-pipeline", "value": "3", "note": "dvc repro"})
    assert r.status_code == 200 and "Saved" in r.text and 'value="3" checked' in r.text and "dvc repro" in r.text
    assert c.htmx(f"/projects/{pid}/questionnaire/answer", {"criterion": "dev.experiment-tracking", "value": "2"}).status_code == 200
    # Cleared, bad values and unknown questions.
    assert c.htmx(f"/projects/{pid}/questionnaire/answer", {"criterion": "dev.experiment-tracking", "value": ""}).status_code == 200
    assert c.htmx(f"/projects/{pid}/questionnaire/answer", {"criterion": "dev.experiment-tracking", "value": "9"}).status_code == 422
    assert c.htmx(f"/projects/{pid}/questionnaire/answer", {"criterion": "no.such-question", "value": "1"}).status_code == 422
    assert c.htmx(f"/projects/{pid}/questionnaire/answer", {"criterion": "dev.experiment-tracking", "value": "2"}).status_code == 200
    # Saved as you go: a reload shows the answers.
    again = c.get(f"/projects/{pid}/questionnaire").text
    assert "2 answered so far" in again

    r = c.post_form(f"/projects/{pid}/questionnaire/submit")
    assert r.status_code == 303 and r.headers["location"] == f"/projects/{pid}"
    project = c.get(f"/projects/{pid}").text
    assert 'class="radar"' in project and 'id="roadmap"' in project
    assert '<span class="tag">answers</span>' in project
    listed = c.get(f"/api/v1/projects/{pid}/assessments").json()
    assert [a["source"] for a in listed] == ["answers"] and listed[0]["created_by"] == world.users["editor_a"]
    full = c.get(f"/api/v1/assessments/{listed[0]['id']}").json()["result"]
    criteria = {cr["id"]: cr for d in full["dimensions"] for cr in d["criteria"]}
    assert criteria["data.rerunnable-pipeline"]["answer"]["value"] == 3
    assert criteria["data.rerunnable-pipeline"]["answer"]["note"] == "dvc repro"
    assert criteria["dev.experiment-tracking"]["answer"]["value"] == 2
    # In the portfolio, with its levels.
    portfolio = c.get(f"/portfolio?team={world.team_a}").text
    assert f'href="/projects/{pid}"' in portfolio


def test_questionnaire_merges_the_newest_scan(world):
    fw, catalog = world.app.state.framework, world.app.state.catalog
    name = unique("merged")
    evidence = Evidence(path="train.py", line=12, snippet="mlflow.log_metric('auc', auc)", detector="mlflow-call")
    scan = score(
        fw,
        catalog,
        Inputs(
            observations=[Observation(practice="dev.experiment_tracking", status=PracticeStatus.PRESENT, source="scan", evidence=(evidence,))],
            subject=Subject(name=name),
        ),
    )
    assert api_upload(world.app, world.tokens["a"], scan).status_code == 201
    c = world.client("editor_a")
    pid = next(p["id"] for p in c.get("/api/v1/projects").json() if p["name"] == name)
    page = c.get(f"/projects/{pid}/questionnaire").text
    assert "Merge with the observations of the newest scan" in page
    assert c.htmx(f"/projects/{pid}/questionnaire/answer", {"criterion": "data.rerunnable-pipeline", "value": "2"}).status_code == 200
    assert c.post_form(f"/projects/{pid}/questionnaire/submit", {"merge": "1"}).status_code == 303
    newest = c.get(f"/api/v1/projects/{pid}/assessments").json()[0]
    result = c.get(f"/api/v1/assessments/{newest['id']}").json()["result"]
    practice = next(p for p in result["practices"] if p["id"] == "dev.experiment_tracking")
    assert practice["status"] == "present" and practice["evidence"][0]["path"] == "train.py"
    assert [s["name"] for s in result["sources"]] == ["upload", "questionnaire"]
    # The project page shows the evidence, escaped, and the diff between the two assessments.
    project = c.get(f"/projects/{pid}").text
    assert "train.py:12" in project and "mlflow.log_metric(&#39;auc&#39;, auc)" in project
    ids = [a["id"] for a in c.get(f"/api/v1/projects/{pid}/assessments").json()]
    diff = c.http.get(f"/projects/{pid}/diff", params={"a": ids[1], "b": ids[0]}, headers={"HX-Request": "true"})
    assert diff.status_code == 200 and "Newly met" in diff.text and "<html" not in diff.text
    assert c.get(f"/projects/{pid}/diff", params={"a": ids[1], "b": ids[0]}).text.startswith("<!doctype html>")


def test_portfolio_filters_by_team_and_sorts(web_app):
    from web_helpers import Client, root

    from mlops_maturity.web.services import accounts

    store = web_app.state.store
    team = accounts.create_team(store, root(), unique("sorting"), "test")
    token = accounts.create_token(store, root(), team, "ci", "test").token
    fw, catalog = web_app.state.framework, web_app.state.catalog
    high = {c.id: 3 for c in fw.active_criteria() if c.level <= 3}
    api_upload(web_app, token, make_result(fw, catalog, high, name="zz-high", days_ago=1))
    api_upload(web_app, token, make_result(fw, catalog, {}, name="aa-low", days_ago=200))
    api_upload(web_app, token, make_result(fw, catalog, {"data.rerunnable-pipeline": 2}, name="mm-mid", days_ago=30))
    email = f"{unique('sorter')}@example.org"
    accounts.create_user(store, root(), email=email, name="", password="correct horse battery staple", is_admin=False, team_id=team, role="viewer", ip="t")
    c = Client(web_app)
    c.login(email)

    def order(sort: str) -> list[str]:
        text = c.get(f"/portfolio?team={team}&sort={sort}").text
        return re.findall(r'class="proj">([^<]+)<', text)

    assert order("team") == ["aa-low", "mm-mid", "zz-high"]
    assert order("level")[0] == "zz-high"
    assert order("stale") == ["aa-low", "mm-mid", "zz-high"]
    page = c.get(f"/portfolio?team={team}").text
    assert page.count(">stale</span>") == 1  # 200 days old: past the framework's 90
    assert "Levels across the organization" in page


def test_assessment_report_page_is_the_html_report(world):
    c = world.client("viewer_a")
    r = c.get(f"/projects/{world.project_a}/assessments/{world.assessment_a}")
    assert r.status_code == 200 and "default-src 'none'" in r.headers["content-security-policy"]
    assert "<script" not in r.text.lower()


def test_portfolio_pages_the_heatmap_but_counts_every_project(web_app, monkeypatch):
    from web_helpers import Client, root

    from mlops_maturity.web.routes import pages
    from mlops_maturity.web.services import accounts

    monkeypatch.setattr(pages, "PORTFOLIO_PAGE", 2)
    store = web_app.state.store
    team = accounts.create_team(store, root(), unique("paged"), "test")
    token = accounts.create_token(store, root(), team, "ci", "test").token
    fw, catalog = web_app.state.framework, web_app.state.catalog
    for name in ("p1", "p2", "p3", "p4", "p5"):
        assert api_upload(web_app, token, make_result(fw, catalog, name=name)).status_code == 201
    email = f"{unique('pager')}@example.org"
    accounts.create_user(store, root(), email=email, name="", password="correct horse battery staple", is_admin=False, team_id=team, role="viewer", ip="t")
    c = Client(web_app)
    c.login(email)
    first = c.get("/portfolio?sort=level").text
    assert re.findall(r'class="proj">([^<]+)<', first) == ["p1", "p2"] and "1–2 of 5" in first
    assert 'href="/portfolio?sort=level&amp;page=2"' in first
    last = c.get("/portfolio?sort=level&page=3").text
    assert re.findall(r'class="proj">([^<]+)<', last) == ["p5"] and "Next" not in last
    assert re.findall(r'class="proj">([^<]+)<', c.get("/portfolio?page=99").text) == ["p5"]
    # The distribution counts all five.
    counts = re.findall(r'<span class="chip lv\d" title="level \d">(\d+)</span>', first)
    assert sum(map(int, counts)) == 5 * len(fw.dimensions)


def test_an_ml_test_score_result_shows_on_the_pages(world):
    """A result scored with the second framework (points per test, not gated levels) is stored
    and shown like any other: the project page and the portfolio render, with no 'None'."""
    from mlops_maturity.framework.load import load_framework

    fw = load_framework("ml-test-score")
    catalog = world.app.state.catalog
    name = unique("mts")
    evidence = Evidence(path="tests/test_data.py", line=3, snippet="ge.validate(df)", detector="ge-validate")
    result = score(
        fw,
        catalog,
        Inputs(
            observations=[Observation(practice="data.validation", status=PracticeStatus.PRESENT, source="scan", evidence=(evidence,))],
            subject=Subject(name=name),
        ),
    )
    assert api_upload(world.app, world.tokens["a"], result).status_code == 201
    c = world.client("editor_a")
    pid = next(p["id"] for p in c.get("/api/v1/projects").json() if p["name"] == name)
    page = c.get(f"/projects/{pid}")
    assert page.status_code == 200
    assert not re.search(r"\bNone\b(?! found)", re.sub(r"<script.*?</script>", "", page.text, flags=re.S))
    assert "tests/test_data.py" in page.text
    portfolio = c.get(f"/portfolio?team={world.team_a}")
    assert portfolio.status_code == 200 and f'href="/projects/{pid}"' in portfolio.text
    assert not re.search(r"\bNone\b(?! found)", re.sub(r"<script.*?</script>", "", portfolio.text, flags=re.S))
