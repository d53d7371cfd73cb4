import pytest

from mlops_maturity.framework import expr


@pytest.mark.parametrize(
    "text, rendered",
    [
        ("data.pipeline OR Q>=2", "data.pipeline OR Q>=2"),
        ("dev.modular_code AND dev.config OR Q>=2", "dev.modular_code AND dev.config OR Q>=2"),
        ("deploy.cd AND (deploy.container OR deploy.serving) OR Q>=2", "deploy.cd AND (deploy.container OR deploy.serving) OR Q>=2"),
        ("data.lineage AND Q=3", "data.lineage AND Q=3"),
        ("Q=3", "Q=3"),
    ],
)
def test_parse_round_trips(text, rendered):
    assert expr.render(expr.parse(text)) == rendered


def test_and_binds_tighter_than_or():
    node = expr.parse("a.x OR b.y AND c.z")
    assert isinstance(node, expr.Or)
    assert isinstance(node.items[1], expr.And)


@pytest.mark.parametrize("bad", ["", "data.pipeline OR", "(data.pipeline", "Q>2", "data.pipeline data.versioning", "AND Q=3", "DATA.X"])
def test_malformed(bad):
    with pytest.raises(expr.ExprError):
        expr.parse(bad)


def test_practices_and_answers():
    node = expr.parse("deploy.cd AND (deploy.container OR deploy.serving) OR Q>=2")
    assert expr.practices_in(node) == ["deploy.cd", "deploy.container", "deploy.serving"]
    assert [(a.op, a.value) for a in expr.answer_atoms(node)] == [(">=", 2)]
