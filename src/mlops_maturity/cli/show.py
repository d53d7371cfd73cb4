"""`framework show`: the model as a reader sees it."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text


def render_framework(fw, *, color: bool = False, width: int = 100) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    console.print(Text(f"{fw.name} ({fw.id} {fw.version})", style="bold"))
    console.print(Text(" ".join(fw.description.split()), style="dim"))
    console.print()
    console.print(Text("Levels", style="bold"))
    for level in fw.levels:
        console.print(Text(f"  {level.number} {level.name}: {level.summary}"))
    for d in fw.dimensions:
        console.print()
        console.print(Text(f"{d.name} [{d.id}]", style="bold"))
        for c in sorted((c for c in fw.active_criteria() if c.dimension == d.id), key=lambda c: c.level):
            t = Text(f"  L{c.level}{'★' if c.defining else ' '} ")
            t.append(c.title)
            t.append(f"  ({c.id})", style="dim")
            console.print(t)
            console.print(Text(f"       evidence: {c.evidence}", style="cyan"))
    if fw.transitions:
        console.print()
        console.print(Text("Transitions", style="bold"))
        for tr in fw.transitions:
            console.print(Text(f"  {tr.from_level}→{tr.to_level}: {tr.summary}"))
    console.print()
    console.print(Text(f"★ defines the overall level ({fw.aggregation.method}).", style="dim"))
    return buf.getvalue()
