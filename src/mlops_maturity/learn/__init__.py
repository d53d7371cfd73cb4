"""Learn: the maturity model taught, and a quiz that adapts to a team's weakest dimensions.

Data says what, code says how. The words live in `learn/data/`:

- `concepts.yaml`: what MLOps is, the problems of deploying without it, how the model works,
  the levels, dimensions and transitions (linked to the framework, not copied), the pitfalls,
  and the myths with their reality.
- `questions/*.yaml`: the question bank (multiple choice, each with a hint, a worked solution,
  the common mistakes, the concept it tests and the dimensions it concerns).
- `scenarios.yaml`: the wording of generated scenario questions; their facts come from the
  framework and their answers from the scoring engine.

The engine is pure and UI-independent; the CLI (`mlops-maturity learn`) and the web layer are
both thin shells over it. The API:

    from mlops_maturity.learn import default_content, build_quiz, grade, weights_from_result

    content = default_content()            # framework, catalog, concepts, bank; validated, cached
    quiz = build_quiz(
        content.bank, content.framework, content.catalog,
        difficulty="medium",               # "easy" | "medium" | "hard" | None (mixed)
        count=10,
        seed=1,                            # same arguments -> same quiz, so a session may store
                                           # only these, or the Quiz itself (JSON round-trips)
        weights=weights_from_result(result),  # optional: a Result (model.result) of the team
    )
    for item in quiz.items:                # QuizItem: id, kind ("bank" | "scenario"), difficulty,
        ...                                # prompt, context (scenario findings), options, answer
                                           # (index), hint, solution (Steps), mistakes, concept,
                                           # dimensions
    score = grade(quiz, {item_id: chosen_index, ...})   # unanswered items count as wrong
    score.correct, score.total, score.percent
    score.review                           # concept ids to review, most missed first
    score.by_dimension                     # {dimension: DimensionTally(correct, total)}

Showing concepts: `concept_view(concepts.get(id), concepts, framework)` resolves a concept with
its framework facts into a ConceptView (title, summary, lead, body, sections, see_also) for any
template; `render.render_concept`, `render.render_sheet` and `render.item_text` /
`render.answer_text` give plain-text or Markdown.

Custom content: `load_concepts(path, framework=...)` and `load_bank(question_files,
scenario_file, concepts=..., framework=..., catalog=...)` validate on load and raise
LearnDataError listing every problem as `file:line: question 'id': problem`.

For a single scenario: `scenarios.scenario_item(bank, framework, catalog, scope="monitor" |
"overall" | ..., difficulty=..., seed=...)`.
"""

from .content import (
    Bank,
    Concept,
    Concepts,
    Content,
    Difficulty,
    LearnDataError,
    Question,
    default_content,
    load_bank,
    load_concepts,
)
from .items import ItemResult, Quiz, QuizItem, Score, Step
from .quiz import build_quiz, grade, weights_from_result
from .render import ConceptView, concept_view

__all__ = [
    "Bank",
    "Concept",
    "ConceptView",
    "Concepts",
    "Content",
    "Difficulty",
    "ItemResult",
    "LearnDataError",
    "Question",
    "Quiz",
    "QuizItem",
    "Score",
    "Step",
    "build_quiz",
    "concept_view",
    "default_content",
    "grade",
    "load_bank",
    "load_concepts",
    "weights_from_result",
]
