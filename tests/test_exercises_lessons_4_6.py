"""The exercise checks of Lessons 4-6: each accepts the lesson's worked solution and refuses typical
wrong answers with the message a learner should read.

The worked solutions are taken from the notebooks themselves: the test runs a notebook's import
cell, the cells a solution builds on (tagged ``toy-engine``, ``training-data``, ``cost-counting``)
and the solution cell that calls the check, so it checks what learners read. Lesson 6's
checkpointing exercise is worked out in Lesson 8; its reference solution is written here. The wrong
answers are the mistakes a learner is likely to make, each written out below.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import math
import pathlib

import pytest

import adlessons
from adlessons import Dual, derivative, forward_steps, grad, jvp, record
from adlessons.examples import GRIEWANK_WALTHER_POINT, griewank_walther, normal_density
from adlessons.exercises import lesson4, lesson5, lesson6

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = {4: "04_forward_mode", 5: "05_reverse_mode", 6: "06_which_mode"}


def _code_cells(lesson: int) -> list[dict]:
    cells = json.loads((NOTEBOOKS / f"{LESSONS[lesson]}.ipynb").read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def worked_solution(lesson: int, checks, setup_tags: tuple = ()) -> dict:
    """The names defined by the notebook's import cell, its cells tagged ``setup_tags`` and the
    solution cells that call ``lessonN.<check>(`` for each of ``checks``, run in notebook order
    (the calls of the checks themselves are left out: the tests make them)."""
    checks = (checks,) if isinstance(checks, str) else tuple(checks)
    cells = _code_cells(lesson)
    program = [_source(cells[0])]
    found = []
    for cell in cells[1:]:
        tags = set(cell["metadata"].get("tags", []))
        source = _source(cell)
        if tags & set(setup_tags):
            program.append(source)
        elif "solution" in tags and any(f"lesson{lesson}.{check}(" in source for check in checks):
            assert tags == {"solution", "hide-input"}
            assert cell["metadata"]["jupyter"]["source_hidden"] is True
            found.append(cell)
            program.append("\n".join(line for line in source.splitlines()
                                      if not line.startswith(f"lesson{lesson}.check_")))
    assert len(found) == len(checks), f"{LESSONS[lesson]}: expected one solution cell per check"
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):  # solutions print what they show the learner
        exec(compile("\n\n".join(program), f"{LESSONS[lesson]}[solutions]", "exec"), namespace)
    return namespace


def accepted(feedback) -> bool:
    return feedback.ok and str(feedback).startswith("Correct:")


def refused(feedback, *phrases: str) -> bool:
    """Not yet, and the message says each of the phrases."""
    message = str(feedback)
    missing = [p for p in phrases if p not in message]
    assert not missing, f"message {message!r} lacks {missing}"
    return not feedback.ok and message.startswith("Not yet:")


def stub(*args):
    raise NotImplementedError


# --- Lesson 4 ---------------------------------------------------------------------------------------

def test_dy_dx2_accepts_the_worked_solution_and_refuses_typical_slips():
    solution = worked_solution(4, "check_dy_dx2")["dy_dx2"]
    # Griewank & Walther (2008), Ch. 3, adjoint trace of the running example: x̄2 = -13.7240
    assert round(solution(*GRIEWANK_WALTHER_POINT), 4) == -13.7240
    assert accepted(lesson4.check_dy_dx2(solution))

    def seeded_on_x1(x1, x2):
        return forward_steps(record(griewank_walther, x1, x2), [1.0, 0.0])[-1].tangent

    def by_reverse_mode(x1, x2):
        return grad(griewank_walther, argnums=1)(x1, x2)

    def by_differences(x1, x2, h=1e-6):
        return (griewank_walther(x1, x2 + h) - griewank_walther(x1, x2 - h)) / (2 * h)

    assert refused(lesson4.check_dy_dx2(seeded_on_x1), "your number is ∂y/∂x1",
                   "seed moves the other input")
    assert refused(lesson4.check_dy_dx2(by_reverse_mode), "ran a reverse sweep", "forward mode")
    assert refused(lesson4.check_dy_dx2(by_differences), "finite differences")
    assert refused(lesson4.check_dy_dx2(stub), "not written yet")


def test_directional_derivative_accepts_the_worked_solution_and_refuses_typical_slips():
    solution = worked_solution(4, "check_directional_derivative")["directional_derivative"]
    assert solution(normal_density, [1.0, 0.5, 2.0], [1.0, 1.0, 0.0]) == 0.0  # depends on x - μ only
    # an independent reference: central differences along v for Griewank & Walther's example
    x, v, h = [0.9, 1.4], [-0.3, 0.8], 1e-6
    along = (griewank_walther(x[0] + h * v[0], x[1] + h * v[1])
             - griewank_walther(x[0] - h * v[0], x[1] - h * v[1])) / (2 * h)
    assert math.isclose(solution(griewank_walther, x, v), along, rel_tol=1e-7)
    assert accepted(lesson4.check_directional_derivative(solution))

    def separate_epsilons(f, x, v):
        return f(*(Dual(xi, vi) for xi, vi in zip(x, v))).tangent

    def one_input_at_a_time(f, x, v):
        total = 0.0
        for i, vi in enumerate(v):
            moved = lambda t, i=i: f(*(t if j == i else xj for j, xj in enumerate(x)))
            total += derivative(moved, x[i]) * vi
        return total

    def recorded(f, x, v):
        return jvp(f, tuple(x), tuple(v))[1]

    def the_value(f, x, v):
        return f(*Dual.seed(x, v)).primal

    check = lesson4.check_directional_derivative
    assert refused(check(separate_epsilons), "itself a dual number", "share one")
    assert refused(check(one_input_at_a_time), "called f 3 times")
    assert refused(check(recorded), "ran a sweep over a recorded trace")
    assert refused(check(the_value), "you returned f(x)")
    assert refused(check(stub), "not written yet")


class _NaiveDual:
    """Lesson 4's NaiveDual: one ε shared by all."""

    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = value, tangent

    def __add__(self, other):
        other = other if isinstance(other, _NaiveDual) else _NaiveDual(other)
        return _NaiveDual(self.value + other.value, self.tangent + other.tangent)

    def __mul__(self, other):
        other = other if isinstance(other, _NaiveDual) else _NaiveDual(other)
        return _NaiveDual(self.value * other.value,
                          self.value * other.tangent + self.tangent * other.value)

    __radd__, __rmul__ = __add__, __mul__


def naive_derivative(f, x):
    y = f(_NaiveDual(x, 1.0))
    return y.tangent if isinstance(y, _NaiveDual) else 0.0


_flat_tags = itertools.count(1)


class _FlatteningDual:
    """Tagged, but an older dual met by a newer one is flattened to its value (its ε is lost)."""

    def __init__(self, value, tangent, tag):
        self.value, self.tangent, self.tag = value, tangent, tag

    def _parts(self, x, tag):
        if isinstance(x, _FlatteningDual):
            return (x.value, x.tangent) if x.tag == tag else (x.value, 0.0)
        return x, 0.0

    def _tag(self, other):
        return max(self.tag, other.tag) if isinstance(other, _FlatteningDual) else self.tag

    def __add__(self, other):
        tag = self._tag(other)
        (a, da), (b, db) = self._parts(self, tag), self._parts(other, tag)
        return _FlatteningDual(a + b, da + db, tag)

    def __mul__(self, other):
        tag = self._tag(other)
        (a, da), (b, db) = self._parts(self, tag), self._parts(other, tag)
        return _FlatteningDual(a * b, a * db + da * b, tag)

    __radd__, __rmul__ = __add__, __mul__


def flattening_derivative(f, x):
    tag = next(_flat_tags)
    y = f(_FlatteningDual(x, 1.0, tag))
    return y.tangent if isinstance(y, _FlatteningDual) and y.tag == tag else 0.0


def test_tagged_derivative_accepts_the_worked_solution_and_refuses_typical_slips():
    solution = worked_solution(4, "check_tagged_derivative")["tagged_derivative"]
    # d/dx [x · d/dy (x + y)] = 1 (Siskind & Pearlmutter 2005), as the package's derivative says
    nested = lambda D: D(lambda x: x * D(lambda y: x + y, 1.0), 1.0)
    assert nested(solution) == nested(derivative) == 1.0
    assert accepted(lesson4.check_tagged_derivative(solution))
    assert refused(lesson4.check_tagged_derivative(naive_derivative), "you get 2",
                   "perturbation confusion")
    assert refused(lesson4.check_tagged_derivative(flattening_derivative),
                   "loses the inner result's dependence on x", "must stay a dual")
    assert refused(lesson4.check_tagged_derivative(stub), "not written yet")


# --- Lesson 5: build it yourself ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def engine() -> dict:
    """Lesson 5's scaffold and its worked solutions (local partials, order, backward, training)."""
    return worked_solution(5, ("check_local_partials", "check_topological_order", "check_backward",
                               "check_training"), ("toy-engine", "training-data"))


def test_local_partials_accepts_the_worked_solution_and_refuses_typical_slips(engine):
    solution = engine["local_partials"]
    ToyVar = engine["ToyVar"]
    # central differences of u / w in w, an independent reference for one rule
    u, w, h = ToyVar(0.7), ToyVar(-1.3), 1e-6
    assert math.isclose(solution(u / w)[1], (0.7 / (-1.3 + h) - 0.7 / (-1.3 - h)) / (2 * h),
                        rel_tol=1e-8)
    assert accepted(lesson5.check_local_partials(solution))

    def slip(op, partials):
        def local_partials(v):
            return partials(v) if v.op == op else solution(v)
        return local_partials

    swapped_mul = slip("mul", lambda v: (v.operands[0].value, v.operands[1].value))
    added_sub = slip("sub", lambda v: (1.0, 1.0))
    div_missing_a_factor = slip("div", lambda v: (1 / v.operands[1].value,
                                                  -v.operands[0].value / v.operands[1].value))
    sin_two = slip("sin", lambda v: (math.cos(v.operands[0].value), 0.0))

    def no_exp(v):
        return {"exp": None}[v.op] if v.op == "exp" else solution(v)

    check = lesson5.check_local_partials
    assert refused(check(swapped_mul), "'mul' node", "wrong order")
    assert refused(check(added_sub), "'sub' node", "second operand has the wrong sign")
    assert refused(check(div_missing_a_factor), "'div' node", "second operand is wrong")
    assert refused(check(sin_two), "'sin' node", "returned 2 number(s)", "1 operand(s)")
    assert refused(check(slip("exp", lambda v: 1 / 0)), "'exp' node", "raised ZeroDivisionError")
    assert refused(check(no_exp), "returned None")
    assert refused(check(stub), "not written yet")


def recursive_order(y):
    """micrograd's build_topo: right, but recursive."""
    order, seen = [], set()

    def build(v):
        if v not in seen:
            seen.add(v)
            for u in v.operands:
                build(u)
            order.append(v)

    build(y)
    return order


def breadth_first_order(y):
    """Breadth-first from y, reversed: right on Griewank & Walther's example, wrong in general."""
    order, seen, queue = [], {y}, [y]
    while queue:
        v = queue.pop(0)
        order.append(v)
        for u in v.operands:
            if u not in seen:
                seen.add(u)
                queue.append(u)
    return order[::-1]


def order_with_repeats(y):
    """Depth-first without a set of nodes already seen: shared nodes come out twice."""
    order, stack = [], [(y, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((u, False) for u in node.operands)
    return order


def test_topological_order_accepts_the_worked_solution_and_refuses_typical_slips(engine):
    solution = engine["topological_order"]
    assert accepted(lesson5.check_topological_order(solution))
    check = lesson5.check_topological_order
    assert refused(check(recursive_order), "recursion limit", "100,000 steps")
    assert refused(check(breadth_first_order), "y = u·exp(exp(u)) with u = sin(x)",
                   "v₂ comes before its operand v₁", "before its child v₂")
    assert refused(check(order_with_repeats), "v₋₁ appears 3 times", "listed once")
    assert refused(check(lambda y: solution(y)[::-1]), "runs backwards")
    assert refused(check(lambda y: None), "returned None")
    assert refused(check(stub), "not written yet")


def test_backward_accepts_the_worked_solution_and_refuses_typical_slips(engine):
    solution = engine["backward"]
    local_partials, topological_order = engine["local_partials"], engine["topological_order"]
    assert accepted(lesson5.check_backward(solution))

    def sweep_in(order_of, overwrite=False):
        """The worked solution's sweep over another order, or with = instead of += (overwrite)."""
        def backward(y):
            order = order_of(y)
            for v in order:
                v.grad = 0.0
            y.grad = 1.0
            for v in reversed(order):
                for u, partial in zip(v.operands, local_partials(v)):
                    contribution = v.grad * partial
                    u.grad = contribution if overwrite else u.grad + contribution
        return backward

    overwriting = sweep_in(topological_order, overwrite=True)

    def unseeded(y):
        for v in topological_order(y):
            v.grad = 0.0

    check = lesson5.check_backward
    assert refused(check(overwriting), "Griewank & Walther's example",
                   "v₄ has two children (v₅ and v₆) but received one contribution")
    assert refused(check(sweep_in(breadth_first_order)), "v₁ passed its contribution on to v₀",
                   "before all of its children")
    assert refused(check(sweep_in(recursive_order)), "recursion limit", "100,000 steps")
    assert refused(check(sweep_in(order_with_repeats)), "v₁ was swept back more than once",
                   "v₋₁, used by v₁ alone, received 3 contributions")
    assert refused(check(unseeded), "still 0.0", "seed ȳ = 1")
    assert refused(check(stub), "not written yet")


def test_backward_names_a_node_used_twice_by_one_child(engine):
    """x * x: x is used twice by one node, and a dict keyed by operand keeps one of the two."""
    local_partials, topological_order = engine["local_partials"], engine["topological_order"]

    def one_partial_per_operand(y):
        order = topological_order(y)
        for v in order:
            v.grad = 0.0
        y.grad = 1.0
        for v in reversed(order):
            for u, partial in dict(zip(v.operands, local_partials(v))).items():
                u.grad += v.grad * partial

    assert refused(lesson5.check_backward(one_partial_per_operand), "y = x·x + w·sin(x)",
                   "v₋₁ is used three times (by v₁ and v₂) but received two contributions")


def test_training_accepts_the_worked_solution_and_refuses_typical_slips(engine):
    train, ToyVar, backward = engine["train"], engine["ToyVar"], engine["backward"]
    xs, ys, steps, rate = (engine[k] for k in ("xs", "ys", "STEPS", "LEARNING_RATE"))
    losses, w, b = train(xs, ys, steps, rate)
    # the least-squares line by the normal equations, worked out here without numpy's solver
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    w_best = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    b_best = my - w_best * mx
    best = sum((w_best * x + b_best - y) ** 2 for x, y in zip(xs, ys)) / n
    assert math.isclose(lesson5.least_squares_loss(xs, ys), best, rel_tol=1e-12)
    assert losses[-1] <= 1.01 * best and abs(w - w_best) < 1e-3 and abs(b - b_best) < 1e-3
    assert accepted(lesson5.check_training(train, xs, ys, steps, rate))

    def loss_and_grads(xs, ys, w, b):
        w_node, b_node = ToyVar(w), ToyVar(b)
        loss = 0.0
        for x, y in zip(xs, ys):
            r = w_node * x + b_node - y
            loss = loss + r * r
        loss = loss / len(xs)
        backward(loss)
        return loss.value, w_node.grad, b_node.grad

    def accumulating(xs, ys, steps, learning_rate):
        w = b = gw_total = gb_total = 0.0
        losses = []
        for _ in range(steps):
            loss, gw, gb = loss_and_grads(xs, ys, w, b)
            gw_total, gb_total = gw_total + gw, gb_total + gb       # grads never reset
            losses.append(loss)
            w, b = w - learning_rate * gw_total, b - learning_rate * gb_total
        return losses, w, b

    def uphill(xs, ys, steps, learning_rate):
        w = b = 0.0
        losses = []
        for _ in range(steps):
            loss, gw, gb = loss_and_grads(xs, ys, w, b)
            losses.append(loss)
            w, b = w + learning_rate * gw, b + learning_rate * gb
        return losses, w, b

    def one_loss_too_many(xs, ys, steps, learning_rate):
        losses, w, b = train(xs, ys, steps, learning_rate)
        return losses + [loss_and_grads(xs, ys, w, b)[0]], w, b

    check = lambda answer: lesson5.check_training(answer, xs, ys, steps, rate)  # noqa: E731
    assert refused(check(accumulating), "still holds the gradients of the steps before it")
    assert refused(check(uphill), "loss grows at the first step", "against the gradient")
    assert refused(check(one_loss_too_many), "returned 7 losses", "one loss per step")
    assert refused(lesson5.check_training(train, xs, ys, 3, rate), "not yet within 1%")
    assert refused(check(stub), "not written yet")


# --- Lesson 5: exercises ------------------------------------------------------------------------------

def test_sigma_contributions_accepts_the_worked_solution_and_refuses_typical_slips():
    solution = worked_solution(5, "check_sigma_contributions")["sigma_contributions"]
    x, mu, sigma = 1.0, 0.5, 2.0
    first, second = solution(x, mu, sigma)
    # their sum is ∂p/∂σ = ((x-μ)²/σ³ - 1/σ) p, the hand-derived formula of Lesson 4
    p = math.exp(-(x - mu) ** 2 / (2 * sigma ** 2)) / (sigma * math.sqrt(2 * math.pi))
    assert math.isclose(first + second, ((x - mu) ** 2 / sigma ** 3 - 1 / sigma) * p, rel_tol=1e-12)
    assert accepted(lesson5.check_sigma_contributions(solution))

    def v4bar_alone(x, mu, sigma):
        first, second = solution(x, mu, sigma)
        return first / (2 * sigma), second

    def the_total(x, mu, sigma):
        return sum(solution(x, mu, sigma)), 0.0

    check = lesson5.check_sigma_contributions
    assert refused(check(lambda x, mu, sigma: solution(x, mu, sigma)[::-1]), "swapped")
    assert refused(check(v4bar_alone), "is v̄₄ alone", "local partial with respect to σ")
    assert refused(check(the_total), "add up to ∂p/∂σ but are split wrongly")
    assert refused(check(lambda x, mu, sigma: 0.5), "should return two numbers")
    assert refused(check(stub), "not written yet")


def test_sweeps_for_jacobian_accepts_the_worked_solution_and_refuses_typical_slips():
    solution = worked_solution(5, "check_sweeps_for_jacobian")["sweeps_for_jacobian"]
    assert tuple(solution(1, 3)) == (1, 3)  # f(x) = (sin x, cos x, x²): one column, three rows
    assert accepted(lesson5.check_sweeps_for_jacobian(solution))
    check = lesson5.check_sweeps_for_jacobian
    assert refused(check(lambda n, m: (m, n)), "f: R^1 -> R^3", "swapped")
    assert refused(check(lambda n, m: (n, 1)), "f: R^1 -> R^3", "reverse sweeps is wrong")
    assert refused(check(lambda n, m: (1, m)), "f: R^3 -> R^1", "forward sweeps is wrong")
    assert refused(check(stub), "not written yet")


def test_damp_gradient_accepts_the_worked_solution_and_refuses_typical_slips():
    solution = worked_solution(5, "check_damp_gradient")["damp_gradient"]
    # k = 1 by hand: x1 = x0 - a sin x0, so ∂x1/∂x0 = 1 - a cos x0 and ∂x1/∂a = -sin x0
    assert solution(0.3, 0.2, 1) == (1 - 0.2 * math.cos(0.3), -math.sin(0.3))
    assert accepted(lesson5.check_damp_gradient(solution))

    def loop(x0, a, k, partial_at_result=False, overwrite=False):
        xs = [x0]
        for _ in range(k):
            xs.append(xs[-1] - a * math.sin(xs[-1]))
        xbar, abar = 1.0, 0.0
        for j in reversed(range(k)):
            at = xs[j + 1] if partial_at_result else xs[j]
            contribution = xbar * -math.sin(xs[j])
            abar = contribution if overwrite else abar + contribution
            xbar *= 1.0 - a * math.cos(at)
        return xbar, abar

    check = lesson5.check_damp_gradient
    assert refused(check(lambda x0, a, k: loop(x0, a, k, overwrite=True)),
                   "holds one step's contribution only", "10 children")
    assert refused(check(lambda x0, a, k: loop(x0, a, k, partial_at_result=True)),
                   "at the step's result")
    assert refused(check(lambda x0, a, k: tuple(grad(lesson5._damp, argnums=(0, 1))(x0, a, k))),
                   "ran a sweep of the package")
    assert refused(check(stub), "not written yet")


# --- Lesson 6 ---------------------------------------------------------------------------------------

def test_zero_adjoint_steps_accepts_the_worked_solution_and_refuses_typical_slips():
    names = worked_solution(6, "check_zero_adjoint_steps", ("cost-counting",))
    solution = names["zero_adjoint_steps"]
    assert solution(4, 3) == 22   # Lesson 6, Section 2: E = m(3n - 1) = 33 edges, 11 per output
    assert accepted(lesson6.check_zero_adjoint_steps(solution))
    check = lesson6.check_zero_adjoint_steps
    assert refused(check(lambda n, m: m * (3 * n - 1)), "count every edge")
    assert refused(check(lambda n, m: (m - 1) * 2 * n), "count operations", "an addition has two")
    assert refused(check(lambda n, m: (m - 1) * 3 * n), "you predict 27 steps")
    assert refused(check(lambda n, m: 22.0), "whole number of steps")
    assert refused(check(stub), "not written yet")


def test_cheaper_mode_accepts_the_worked_solution_and_refuses_typical_slips():
    names = worked_solution(6, "check_cheaper_mode", ("cost-counting",))
    solution = names["cheaper_mode"]
    # the Hessian of f_{8,1}: jacfwd(grad f) and jacrev(grad f) do the same multiply-adds
    assert names["hessian_cost"]["fwd_total"] == names["hessian_cost"]["rev_total"]
    assert solution(8, 8) == "tie" and solution(8, 8, 2.5, 4.0) == "forward"
    assert accepted(lesson6.check_cheaper_mode(solution))

    def n_against_m(n, m, c_forward=1.0, c_reverse=1.0):
        return "tie" if n == m else ("forward" if n < m else "reverse")

    def never_tie(n, m, c_forward=1.0, c_reverse=1.0):
        return "forward" if n * c_forward <= m * c_reverse else "reverse"

    def backwards(n, m, c_forward=1.0, c_reverse=1.0):
        f, r = n * c_forward, m * c_reverse
        return "tie" if f == r else ("reverse" if f < r else "forward")

    check = lesson6.check_cheaper_mode
    assert refused(check(n_against_m), "(8, 6) with c_forward = 2.5", "compares n with m only")
    assert refused(check(never_tie), "(8, 8)", "should say 'tie'")
    assert refused(check(backwards), "(32, 1)", "you chose forward")
    assert refused(check(lambda n, m, cf=1.0, cr=1.0: "fwd"), "should return 'forward', 'reverse' or 'tie'")
    assert refused(check(stub), "not written yet")


def _damp(x, steps):
    for _ in range(steps):
        x = x - 0.01 * adlessons.sin(x)
    return x


def checkpointed_derivative(x0, steps, chunk):
    """The reference solution (Lesson 8 carries the lesson's own): boundaries by plain floats,
    then one recorded chunk and one reverse sweep at a time, last chunk first."""
    starts, sizes, x = [], [], x0
    for first in range(0, steps, chunk):
        starts.append(x)
        sizes.append(min(chunk, steps - first))
        x = _damp(x, sizes[-1])
    product = 1.0
    for start, size in zip(reversed(starts), reversed(sizes)):
        product *= grad(_damp)(start, size)
    return product


def test_checkpointed_derivative_accepts_a_worked_solution_and_refuses_typical_slips():
    assert math.isclose(checkpointed_derivative(0.4, 1000, 30), grad(_damp)(0.4, 1000), rel_tol=1e-12)
    assert accepted(lesson6.check_checkpointed_derivative(checkpointed_derivative))

    def whole_trace(x0, steps, chunk):
        return grad(_damp)(x0, steps)

    def full_chunks_only(x0, steps, chunk):
        return checkpointed_derivative(x0, steps - steps % chunk, chunk)

    def every_chunk_kept(x0, steps, chunk):
        traces, x = [], x0
        for first in range(0, steps, chunk):
            traces.append(record(_damp, x, min(chunk, steps - first), argnums=0))
            x = traces[-1].outputs[0].value
        product = 1.0
        for trace in reversed(traces):
            product *= adlessons.adjoint_sweep(trace, [1.0])[0]
        return product

    check = lesson6.check_checkpointed_derivative
    assert refused(check(whole_trace), "1 reverse sweep(s) for 100 chunks")
    assert refused(check(full_chunks_only), "is the last, shorter chunk included?")
    assert refused(check(every_chunk_kept), "peak memory is close to that of recording all")
    assert refused(check(stub), "not written yet")


# --- every check: a stub gets a sentence, never a traceback -----------------------------------------

CHECKS = [
    lesson4.check_dy_dx2, lesson4.check_directional_derivative, lesson4.check_tagged_derivative,
    lesson5.check_local_partials, lesson5.check_topological_order, lesson5.check_backward,
    lesson5.check_sigma_contributions, lesson5.check_sweeps_for_jacobian, lesson5.check_damp_gradient,
    lesson6.check_zero_adjoint_steps, lesson6.check_cheaper_mode, lesson6.check_checkpointed_derivative,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_a_stub_or_none_gets_not_yet(check):
    assert refused(check(stub), "not written yet")
    assert refused(check(lambda *args: None))
    assert refused(check(42), "should be a function")


def test_the_training_check_answers_a_stub_or_none_with_not_yet():
    xs, ys = [0.0, 1.0, 2.0], [1.0, 3.0, 5.0]
    assert refused(lesson5.check_training(stub, xs, ys, 10, 0.1), "not written yet")
    assert refused(lesson5.check_training(lambda *args: None, xs, ys, 10, 0.1),
                   "should return (losses, w, b)")
