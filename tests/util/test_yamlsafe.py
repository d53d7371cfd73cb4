"""The one YAML reader: limits hold on both paths (libyaml-composed and pure Python)."""

import pytest

from mlops_maturity.util import yamlsafe

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)


@pytest.fixture(params=["libyaml", "python"])
def path(request, monkeypatch):
    if request.param == "python":
        monkeypatch.setattr(yamlsafe, "_CLoader", None)
    elif yamlsafe._CLoader is None:
        pytest.skip("PyYAML was built without libyaml")
    return request.param


def test_lines_are_kept(path):
    d = yamlsafe.load("a: 1\nb:\n  - x\n  - {c: 2}\nrun: |\n  pytest -q\n")
    assert d == {"a": 1, "b": ["x", {"c": 2}], "run": "pytest -q\n"}
    assert d.key_lines == {"a": 1, "b": 2, "run": 5}
    assert d["b"].item_lines == [3, 4]
    assert d.value_lines["run"] == 6


@pytest.mark.parametrize(
    "text, needle",
    [
        ("a: &x [1]\nb: *x\n", "aliases are not accepted"),
        ("a: !!python/object/apply:os.system ['echo hi']\n", "constructor"),
        ("a: 1\na: 2\n", "duplicate key"),
        ("[" * 200 + "]" * 200, "nested"),
        ("a: [1, 2\n", "line"),
    ],
)
def test_rejections(path, text, needle):
    with pytest.raises(yamlsafe.YamlError, match=needle):
        yamlsafe.load(text)


@pytest.mark.parametrize("text, needle", [
    # a mapping's or a sequence's tag on another kind of node (PyYAML raised TypeError / ValueError)
    ("!!set a\n", "expected a mapping"),
    ("- !!set [x]\n", "expected a mapping"),
    ("!!set [[a, b]]\n", "expected a mapping"),
    ("!!seq {a: 1}\n", "expected a sequence"),
])
@pytest.mark.parametrize("tolerant", [False, True])
def test_tag_on_the_wrong_kind_of_node(path, text, needle, tolerant):
    with pytest.raises(yamlsafe.YamlError, match=needle):
        yamlsafe.load(text, max_aliases=5 if tolerant else 0, tolerate_tags=tolerant)


def test_alias_bomb_rejected_even_when_aliases_are_allowed(path):
    with pytest.raises(yamlsafe.YamlError):
        yamlsafe.load(BOMB)
    with pytest.raises(yamlsafe.YamlError, match="expand|more than"):
        yamlsafe.load(BOMB, max_aliases=1000)


def test_bounded_aliases_allowed_when_asked(path):
    text = ".defaults: &d {image: python}\ntest:\n  <<: *d\n  script: [pytest]\n"
    with pytest.raises(yamlsafe.YamlError):
        yamlsafe.load(text)
    d = yamlsafe.load(text, max_aliases=10)
    assert d["test"] == {"image": "python", "script": ["pytest"]}


def test_size_cap():
    with pytest.raises(yamlsafe.YamlError, match="larger than"):
        yamlsafe.load("a: " + "x" * 100, max_bytes=50)


def test_multi_document(path):
    assert yamlsafe.load_all("a: 1\n---\nb: 2\n") == [{"a": 1}, {"b": 2}]
    with pytest.raises(yamlsafe.YamlError):
        yamlsafe.load_all("a: &x 1\n---\nb: *x\n")


def test_tolerated_tags(path):
    d = yamlsafe.load("a: !reference [.x, script]\nb: !Ref Bucket\n", tolerate_tags=True)
    assert d == {"a": [".x", "script"], "b": "Bucket"}
