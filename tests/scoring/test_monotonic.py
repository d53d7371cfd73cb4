"""Meeting more criteria must never lower a level (property-based)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_maturity.model.evidence import Answer, Observation, PracticeStatus
from mlops_maturity.scoring import Inputs, score

STATUSES = [PracticeStatus.PRESENT, PracticeStatus.ABSENT, PracticeStatus.UNKNOWN]


def profile(fw, catalog, practice_status: dict, answers: dict):
    obs = [Observation(practice=p, status=s, source="test") for p, s in practice_status.items() if s is not PracticeStatus.UNKNOWN]
    ans = [Answer(question=c, value=v) for c, v in answers.items() if v is not None]
    return score(fw, catalog, Inputs(observations=obs, answers=ans))


def levels(result):
    return {d.id: d.level for d in result.dimensions}, result.overall.level


@st.composite
def situations(draw, fw, catalog):
    pids = sorted(p.id for p in catalog.practices)
    cids = [c.id for c in fw.active_criteria()]
    practice_status = {p: draw(st.sampled_from(STATUSES)) for p in pids}
    answers = {c: draw(st.one_of(st.none(), st.integers(0, 3))) for c in cids}
    return practice_status, answers


def _improve(draw, fw, catalog, practice_status, answers):
    better_p = dict(practice_status)
    better_a = dict(answers)
    for p in draw(st.lists(st.sampled_from(sorted(better_p)), max_size=8)):
        better_p[p] = PracticeStatus.PRESENT  # observed present: more evidence
    for c in draw(st.lists(st.sampled_from(sorted(better_a)), max_size=8)):
        current = better_a[c]
        better_a[c] = 3 if current is None else draw(st.integers(current, 3))
    return better_p, better_a


def test_meeting_more_never_lowers_a_level(fw, catalog):
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def check(data):
        practice_status, answers = data.draw(situations(fw, catalog))
        better_p, better_a = _improve(data.draw, fw, catalog, practice_status, answers)
        before_dims, before_overall = levels(profile(fw, catalog, practice_status, answers))
        after_dims, after_overall = levels(profile(fw, catalog, better_p, better_a))
        assert after_overall >= before_overall
        for d, level in before_dims.items():
            assert after_dims[d] >= level, d

    check()


def test_progress_is_a_fraction_and_unknown_is_never_unmet(fw, catalog):
    @settings(max_examples=60, deadline=None)
    @given(st.data())
    def check(data):
        practice_status, answers = data.draw(situations(fw, catalog))
        result = profile(fw, catalog, practice_status, answers)
        for d in result.dimensions:
            assert 0.0 <= d.progress <= 1.0
            assert d.potential_level >= d.level
            assert d.unknown == sum(1 for c in d.criteria if c.status.value == "unknown")
            for c in d.criteria:
                assert (c.met is None) == (c.status.value == "unknown")

    check()
