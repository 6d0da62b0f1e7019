"""Lesson 3 builds a toy recorder; it must write the same trace as ``adlessons.record``.

The toy's code is taken from the notebook itself (the cells tagged ``toy-recorder``), so the
test checks what learners read, not a copy of it.
"""

import json
import pathlib

from hypothesis import given, settings
from hypothesis import strategies as st

from adlessons import record
from adlessons.examples import GRIEWANK_WALTHER_POINT, griewank_walther

NOTEBOOK = pathlib.Path(__file__).resolve().parent.parent / "notebooks" / "03_computational_graphs.ipynb"


def toy_namespace() -> dict:
    """Run the notebook's toy-recorder cells and return the names they define."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells
               if c["cell_type"] == "code" and "toy-recorder" in c["metadata"].get("tags", [])]
    assert len(sources) == 2, "expected the ToyVar cell and the gw_for_toy cell"
    namespace: dict = {}
    exec(compile("\n\n".join(sources), str(NOTEBOOK), "exec"), namespace)
    return namespace


TOY = toy_namespace()


def assert_same_trace(x1, x2):
    tape = TOY["toy_record"](TOY["gw_for_toy"], x1, x2)
    trace = record(griewank_walther, x1, x2)
    assert len(tape) == len(trace.nodes)
    for toy, node in zip(tape, trace.nodes):
        assert toy.pos == node.pos
        assert toy.op == ("input" if node.is_input else node.primitive.name)
        assert [u.pos for u in toy.operands] == [p.pos for p in node.operands]
        assert toy.value == node.value          # same float operations in the same order
    assert tape[-1].value == trace.outputs[0].value


def test_toy_recorder_matches_record_at_the_published_point():
    assert_same_trace(*GRIEWANK_WALTHER_POINT)
    assert [v.op for v in TOY["toy_record"](TOY["gw_for_toy"], *GRIEWANK_WALTHER_POINT)] == [
        "input", "input", "div", "sin", "exp", "sub", "add", "mul"]


nonzero = st.one_of(st.floats(0.05, 3.0), st.floats(-3.0, -0.05))


@settings(max_examples=50, deadline=None)
@given(st.floats(-5.0, 5.0), nonzero)
def test_toy_recorder_matches_record_anywhere(x1, x2):
    assert_same_trace(x1, x2)


def test_toy_record_starts_a_fresh_tape():
    first = TOY["toy_record"](TOY["gw_for_toy"], 1.0, 2.0)
    second = TOY["toy_record"](TOY["gw_for_toy"], 3.0, 4.0)
    assert len(first) == len(second) == 8
    assert first[0].value == 1.0 and second[0].value == 3.0
