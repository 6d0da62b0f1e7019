"""The exercise checks of Lessons 1-3: each accepts the lesson's worked solution and refuses typical
wrong answers with the message a learner should read.

The worked solutions are taken from the notebooks themselves (the function and class definitions
of the cells tagged ``solution``), so the tests check what learners read, not a copy of it. The
wrong answers are the mistakes a learner is likely to make; each is written out here.
"""

from __future__ import annotations

import ast
import cmath
import json
import math
import pathlib

import pytest

import adlessons
from adlessons.exercises import NotYet, call, exercise_check, lesson1, lesson2, lesson3, name_of
from adlessons.presentation import label

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = {1: "01_finite_differences", 2: "02_symbolic_differentiation", 3: "03_computational_graphs"}


def _cells(lesson: int) -> list[dict]:
    return json.loads((NOTEBOOKS / f"{LESSONS[lesson]}.ipynb").read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def worked_solutions(lesson: int) -> dict:
    """The functions and classes the notebook's solution cells define (after its toy-recorder cells)."""
    namespace = {"math": math, "cmath": cmath, "exp": adlessons.exp, "sqrt": adlessons.sqrt}
    cells = [c for c in _cells(lesson) if c["cell_type"] == "code"]
    for cell in cells:
        if "toy-recorder" in cell["metadata"].get("tags", []):
            exec(compile(_source(cell), LESSONS[lesson], "exec"), namespace)
    for cell in cells:
        if "solution" in cell["metadata"].get("tags", []):
            tree = ast.parse(_source(cell))
            definitions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
            exec(compile(ast.Module(body=definitions, type_ignores=[]), LESSONS[lesson], "exec"), namespace)
    return namespace


S1, S2, S3 = worked_solutions(1), worked_solutions(2), worked_solutions(3)


def refused(feedback, *fragments: str) -> None:
    """The check said Not yet, and its message contains every fragment."""
    assert not feedback.ok, str(feedback)
    assert str(feedback).startswith("Not yet: ")
    for fragment in fragments:
        assert fragment in feedback.message, (fragment, feedback.message)


def accepted(feedback) -> None:
    assert feedback.ok, str(feedback)
    assert str(feedback).startswith("Correct: ")


def not_written(*args):
    raise NotImplementedError


# ---------------------------------------------------------------- the helpers checks are written with

def test_call_turns_a_stub_and_an_error_into_not_yet():
    @exercise_check
    def check_double(answer):
        if call(answer, 2.0) != 4.0:
            raise NotYet("not twice")
        return lesson1.correct("twice")

    def double(x):
        return 2 * x

    def broken(x):
        return x / 0

    def deep(x):
        return deep(x)

    accepted(check_double(double))
    refused(check_double(not_written), "is not written yet (it raises NotImplementedError)")
    refused(check_double(broken), "your broken raised ZeroDivisionError on 2: ")
    refused(check_double(deep), "your deep hit Python's recursion limit on 2")
    refused(check_double(3.0), "should be a function, but it is float 3.0")
    refused(check_double(lambda x: x), "not twice")
    assert name_of(lambda x: x) == "your answer" and name_of(double) == "your double"


# ---------------------------------------------------------------- Lesson 1

def test_lesson1_actual_step():
    accepted(lesson1.check_forward_difference_actual_step(S1["forward_difference_actual_step"]))

    def plain(f, x, h):  # divides by h, the step asked for, not the step taken
        return (f(x + h) - f(x)) / h

    def central(f, x, h):  # accurate, but not a forward difference
        return (f(x + h) - f(x - h)) / ((x + h) - (x - h))

    def returns_nothing(f, x, h):
        (f(x + h) - f(x)) / ((x + h) - x)

    refused(lesson1.check_forward_difference_actual_step(plain),
            "x = 7.3e+07, h = 2e-08 your estimate is off by 2.5e-01 (relative)",
            "compare the distance between the two points where f was evaluated with h")
    refused(lesson1.check_forward_difference_actual_step(central),
            "evaluated f at", "a forward difference needs f only at x and x + h")
    refused(lesson1.check_forward_difference_actual_step(returns_nothing), "returned None", "a float")
    refused(lesson1.check_forward_difference_actual_step(not_written), "not written yet")


def test_lesson1_best_central_step():
    accepted(lesson1.check_best_central_step(S1["best_central_step"]))

    def without_the_three(M0, M3, eps):  # E'(h) = 0 solved with h M3 instead of h M3 / 3
        h = (eps * M0 / M3) ** (1 / 3)
        return h, h * h / 6 * M3 + eps * M0 / h

    def forward_formula(M0, M3, eps):  # the forward difference's sqrt(eps) step
        h = math.sqrt(2 * eps * M0 / M3)
        return h, h * h / 6 * M3 + eps * M0 / h

    def derivative_slip(M0, M3, eps):  # d(h^2/6)/dh taken as h/6: h^3 = 6 eps M0 / M3
        h = (6 * eps * M0 / M3) ** (1 / 3)
        return h, h * h / 6 * M3 + eps * M0 / h

    def truncation_only(M0, M3, eps):  # right step, E(h*) without the round-off term
        h = (3 * eps * M0 / M3) ** (1 / 3)
        return h, h * h / 6 * M3

    refused(lesson1.check_best_central_step(without_the_three), "does not minimise E(h)",
            "E is smaller at a larger step")
    refused(lesson1.check_best_central_step(forward_formula), "does not minimise E(h)",
            "E is smaller at a larger step")
    refused(lesson1.check_best_central_step(derivative_slip), "does not minimise E(h)",
            "E is smaller at a smaller step")
    refused(lesson1.check_best_central_step(truncation_only), "your h_star is right, but your E_star is not E(h)")
    refused(lesson1.check_best_central_step(lambda M0, M3, eps: 1e-5), "it should return two numbers")


def test_lesson1_complex_abs():
    accepted(lesson1.check_complex_abs(S1["complex_abs"]))
    accepted(lesson1.check_complex_abs(lambda z: cmath.sqrt(z * z)))  # another analytic continuation of |x|

    def compares_complex(z):
        return -z if z < 0 else z

    def keeps_imaginary(z):  # |Re z| + i Im z: the slope is +1 on both sides
        return abs(z.real) + 1j * z.imag

    refused(lesson1.check_complex_abs(abs), "at x = -3.7", "gives the slope 0, but |x| has slope -1",
            "the imaginary part, which carries the derivative, was lost")
    refused(lesson1.check_complex_abs(compares_complex), "fails on the complex number (-3.7+1e-20j)",
            "complex numbers have no order")
    refused(lesson1.check_complex_abs(keeps_imaginary), "gives the slope 1, but |x| has slope -1")
    refused(lesson1.check_complex_abs(math.fabs), "operations that accept complex numbers")
    refused(lesson1.check_complex_abs(lambda z: z), "(-3.7) is -3.7, not |-3.7| = 3.7")


# ---------------------------------------------------------------- Lesson 2

def test_lesson2_normal_partials():
    accepted(lesson2.check_normal_partials(S2["dp_dmu"], S2["dp_dsigma"]))

    def density(x, mu, sigma):
        return math.exp(-(x - mu) ** 2 / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi))

    def dp_dx(x, mu, sigma):  # the x-derivative, sent in for mu: the sign of d(x - mu)/dmu forgotten
        return -density(x, mu, sigma) * (x - mu) / sigma**2

    def exponent_only(x, mu, sigma):  # sigma differentiated in the exponent only
        return density(x, mu, sigma) * (x - mu) ** 2 / sigma**3

    def sigma_squared_slip(x, mu, sigma):
        return density(x, mu, sigma) * ((x - mu) ** 2 / sigma**2 - 1 / sigma)

    refused(lesson2.check_normal_partials(dp_dx, S2["dp_dsigma"]), "your dp/dmu", "has the wrong sign")
    refused(lesson2.check_normal_partials(S2["dp_dmu"], exponent_only), "your dp/dsigma", "misses a contribution",
            "sigma appears in p in more than one place")
    refused(lesson2.check_normal_partials(S2["dp_dmu"], sigma_squared_slip), "your dp/dsigma at", "(relative)")
    refused(lesson2.check_normal_partials(not_written, not_written), "not written yet")
    refused(lesson2.check_normal_partials(lambda x, mu, sigma: None, S2["dp_dsigma"]), "it should return a number")


def test_lesson2_second_derivative_dag():
    accepted(lesson2.check_second_derivative_dag(S2["second_derivative_dag_size"]))
    refused(lesson2.check_second_derivative_dag(lambda n: 8 * n - 7),  # the first derivative's law
            "at n = 3 your formula gives 17, but the second derivative's DAG has 23 nodes there")
    refused(lesson2.check_second_derivative_dag(lambda n: 17 * n - 28 if n <= 6 else 17 * n - 27),
            "agrees for n = 3 to 6 but not at n = 7")
    refused(lesson2.check_second_derivative_dag(lambda n: [17 * n - 28]), "it should return a number of nodes")


def test_lesson2_chain_sizes():
    accepted(lesson2.check_chain_sizes(S2["sin_chain_sizes"], S2["exp_chain_sizes"]))
    doubling = lambda k: (2 ** (k + 1) - 2, 3 * k - 1)  # noqa: E731 - exponential, as for repeated squaring
    refused(lesson2.check_chain_sizes(doubling, S2["exp_chain_sizes"]),
            "for the sin chain with k = 3 your tree size is 14, but diff's derivative has 11 entries written out")
    refused(lesson2.check_chain_sizes(S2["sin_chain_sizes"], S2["sin_chain_sizes"]),  # exp as if it were sin
            "for the exp chain with k = 2 your DAG size is 5, but diff's derivative has 4 distinct nodes",
            "what does exp's partial refer to?")
    late = lambda k: S2["sin_chain_sizes"](k) if k <= 6 else (S2["sin_chain_sizes"](k)[0] + 1, 3 * k - 1)  # noqa: E731
    refused(lesson2.check_chain_sizes(late, S2["exp_chain_sizes"]),
            "your tree size for the sin chain agrees for k = 1 to 6 but not at k = 7")
    refused(lesson2.check_chain_sizes(S2["sin_chain_sizes"], lambda k: 2 * k),
            "it should return two numbers, (tree, dag)")


# ---------------------------------------------------------------- Lesson 3

def test_lesson3_shared_nodes():
    accepted(lesson3.check_shared_nodes(S3["shared_nodes"]))
    accepted(lesson3.check_shared_nodes(lambda t: {n.name for n in S3["shared_nodes"](t)}))  # names are fine
    accepted(lesson3.check_shared_nodes(lambda t: [label(n) for n in S3["shared_nodes"](t)]))  # as tables print them

    def counts_uses(trace):  # x * x counted as two children
        return [n for n in trace.nodes if sum(o is n for c in trace.nodes for o in c.operands) >= 2]

    def through_operands(trace):  # operands include constants, which have no .pos
        users = {}
        for node in trace.nodes:
            for operand in node.operands:
                users.setdefault(operand.pos, set()).add(node.pos)
        return [n for n in trace.nodes if len(users.get(n.pos, ())) >= 2]

    def intermediates_only(trace):
        return [n for n in trace.intermediates if len(trace.children(n)) >= 2]

    refused(lesson3.check_shared_nodes(counts_uses), "for the trace of `x * x + y` you list",
            "it has one child, which uses it twice: count the nodes that use it, not the uses")
    refused(lesson3.check_shared_nodes(through_operands), "raised AttributeError on the trace of `2 * x + x / 3`",
            "`node.parents` holds only the operands that are variables")
    refused(lesson3.check_shared_nodes(intermediates_only), "for the trace of `2 * x + x / 3` your list misses",
            "(an input), which has 2 children")
    refused(lesson3.check_shared_nodes(lambda t: None), "it should return a list of nodes")
    refused(lesson3.check_shared_nodes(lambda t: ["w7"]), "lists 'w7'", "which is not a node of that trace")


def _toy_recorder(cls):
    def record_with(f, *xs):
        S3["TAPE"].clear()
        f(*(cls(x) for x in xs))
        return list(S3["TAPE"])
    return record_with


def test_lesson3_toy_constants():
    accepted(lesson3.check_toy_constants(S3["toy_record_with_constants"]))
    ToyVar, Good = S3["ToyVar"], S3["ToyVarWithConstants"]

    class Lifted(ToyVar):  # wraps every constant as a ToyVar: constants land on the tape
        @staticmethod
        def lift(u):
            return u if isinstance(u, ToyVar) else Lifted(u)

        def __add__(self, other):
            other = Lifted.lift(other)
            return Lifted(self.value + other.value, "add", (self, other))

        def __radd__(self, other):
            other = Lifted.lift(other)
            return Lifted(other.value + self.value, "add", (other, self))

        def __mul__(self, other):
            other = Lifted.lift(other)
            return Lifted(self.value * other.value, "mul", (self, other))

        def __rmul__(self, other):
            other = Lifted.lift(other)
            return Lifted(other.value * self.value, "mul", (other, self))

        def __sub__(self, other):
            other = Lifted.lift(other)
            return Lifted(self.value - other.value, "sub", (self, other))

    class Swapped(Good):  # __rsub__ as if subtraction commuted
        def __rsub__(self, other):
            return Swapped(self.value - other, "sub", (self, other))

    class NoReflectedDivision(ToyVar):  # every operator but __rtruediv__: `1 / x` fails
        __add__, __radd__, __sub__, __rsub__ = Good.__add__, Good.__radd__, Good.__sub__, Good.__rsub__
        __mul__, __rmul__, __truediv__ = Good.__mul__, Good.__rmul__, Good.__truediv__

    class DropsConstants(Good):  # records c * x with the operand x only
        def __rmul__(self, other):
            return DropsConstants(other * self.value, "mul", (self,))

    refused(lesson3.check_toy_constants(_toy_recorder(Lifted)), "your tape for `2 * x + y * 3 - 1` has 9 entries",
            "2 inputs and performs 4 operations", "The constants went on the tape")
    refused(lesson3.check_toy_constants(_toy_recorder(Swapped)), "for `1 / x - y / 4 + (5 - y)` (sub) has the value",
            "with a constant on the left, is the order of the operands kept?")
    refused(lesson3.check_toy_constants(_toy_recorder(NoReflectedDivision)), "on `1 / x - y / 4 + (5 - y)`",
            "Python asks the right operand's reflected method")
    refused(lesson3.check_toy_constants(_toy_recorder(DropsConstants)),
            "(mul) does not keep its constant among its operands")
    refused(lesson3.check_toy_constants(S3["toy_record"]), "raised TypeError on `2 * x + y * 3 - 1`")
    refused(lesson3.check_toy_constants(not_written), "not written yet")


def test_lesson3_newton_sqrt():
    accepted(lesson3.check_newton_sqrt(S3["newton_sqrt"]))

    def six_steps(a):  # a fixed number of passes instead of the stopping test
        x = a
        for _ in range(6):
            x = 0.5 * (x + a / x)
        return x

    def with_fabs(a):  # math.fabs needs a float: it cannot be recorded
        x = a
        while math.fabs(x * x - a) > 1e-12 * a:
            x = 0.5 * (x + a / x)
        return x

    def reads_the_number(a):  # a float start: AD sees a constant
        x = adlessons.primal(a)
        while abs(x * x - adlessons.primal(a)) > 1e-12 * adlessons.primal(a):
            x = 0.5 * (x + adlessons.primal(a) / x)
        return x

    refused(lesson3.check_newton_sqrt(six_steps), "your six_steps(77) is off from the square root",
            "does the loop stop only when the condition says so?")
    refused(lesson3.check_newton_sqrt(with_fabs), "your with_fabs raised TypeError on a traced value a = 3",
            "a traced value cannot become a plain float")
    refused(lesson3.check_newton_sqrt(reads_the_number),
            "AD through your reads_the_number at a = 3 gives the derivative 0",
            "does every step of the loop compute with a traced value?")
    refused(lesson3.check_newton_sqrt(lambda a: None), "it should return a number")


# ---------------------------------------------------------------- how the exercises sit in the notebooks

@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_every_exercise_has_difficulty_stub_hint_and_solution(lesson):
    cells = _cells(lesson)
    start = next(i for i, c in enumerate(cells) if _source(c).startswith("## Exercises"))
    headings = [i for i, c in enumerate(cells)
                if c["cell_type"] == "markdown" and _source(c).startswith("### Exercise")]
    assert len(headings) == 3 and all(i > start for i in headings)
    for number, (i, end) in enumerate(zip(headings, headings[1:] + [len(cells)]), start=1):
        heading = _source(cells[i]).splitlines()[0]
        assert heading.startswith(f"### Exercise {number} (") and any(
            f"({level})" in heading for level in ("warm-up", "standard", "challenge")), heading
        block = cells[i + 1:end]
        stub, hint, worked, solution = block[:4]
        assert "exercise" in stub["metadata"].get("tags", []) and "raise NotImplementedError" in _source(stub)
        assert f"lesson{lesson}.check_" in _source(stub).splitlines()[-1]
        assert "".join(stub["outputs"][0]["data"]["text/plain"]).startswith("Not yet: ")
        for dropdown, title in ((hint, "Hint"), (worked, "Worked solution")):
            assert dropdown["cell_type"] == "markdown" and _source(dropdown).startswith("```{dropdown} " + title)
            assert dropdown["metadata"]["jupyter"]["source_hidden"] is True
        assert solution["metadata"]["tags"] == ["solution", "hide-input"]
        assert solution["metadata"]["jupyter"]["source_hidden"] is True
        assert _source(solution).splitlines()[-1].startswith(f"lesson{lesson}.check_")
        assert [o.get("output_type") for o in solution["outputs"]] == ["execute_result"]
        assert "".join(solution["outputs"][0]["data"]["text/plain"]).startswith("Correct: ")


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_check_cells_are_collapsed_and_kernelspec_is_exact(lesson):
    path = NOTEBOOKS / f"{LESSONS[lesson]}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"] == {"display_name": "Python 3 (ipykernel)", "language": "python",
                                            "name": "python3"}
    checks = [c for c in nb["cells"] if c["cell_type"] == "code" and _source(c).startswith("# check:")]
    assert checks
    for cell in checks:
        assert cell["metadata"]["tags"] == ["check", "remove-cell"]
        assert cell["metadata"]["jupyter"]["source_hidden"] is True
        assert cell["outputs"] == []
    title = _source(nb["cells"][0])
    assert title.startswith(f"# Lesson {lesson}: ") and "**What you will learn**" in title
