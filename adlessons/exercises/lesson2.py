"""Checks for Lesson 2 (symbolic differentiation and expression swell): call each on your answer,
e.g. ``lesson2.check_normal_partials(dp_dmu, dp_dsigma)``.
"""

from __future__ import annotations

import functools
import math

from .. import exp, grad, sin
from ..examples import logistic_map, normal_density
from ..primitive import is_number
from ..symbolic import dag_size, diff, symbol, tree_size
from . import NotYet, call, correct, exercise_check, name_of

__all__ = ["check_normal_partials", "check_second_derivative_dag", "check_chain_sizes"]

# Exercise 1: points (x, mu, sigma) the learner does not see; the last has x = mu, where dp/dmu = 0.
_DENSITY_POINTS = [(0.3, -0.2, 0.8), (2.5, 1.0, 1.7), (-1.0, 0.5, 0.4), (4.0, 0.0, 3.0), (0.7, 0.7, 1.3)]


def _number(value, who: str, where: str) -> float:
    """value as a float, or a NotYet saying what came back instead."""
    if not is_number(value):
        raise NotYet(f"{who} returned {value!r} at {where}: it should return a number.")
    return float(value)


@exercise_check
def check_normal_partials(dp_dmu, dp_dsigma):
    """Exercise 1: your closed forms of dp/dmu and dp/dsigma, functions of (x, mu, sigma), against AD."""
    by_ad_mu, by_ad_sigma = grad(normal_density, argnums=1), grad(normal_density, argnums=2)
    for point in _DENSITY_POINTS:
        x, mu, sigma = point
        where = f"(x, mu, sigma) = {point}"
        p = normal_density(x, mu, sigma)
        for label, answer, reference in (("dp/dmu", dp_dmu, by_ad_mu), ("dp/dsigma", dp_dsigma, by_ad_sigma)):
            ours = _number(call(answer, x, mu, sigma, on=where), name_of(answer), where)
            true = reference(x, mu, sigma)
            if math.isclose(ours, true, rel_tol=1e-9, abs_tol=1e-14):
                continue
            if true != 0 and math.isclose(ours, -true, rel_tol=1e-9):
                raise NotYet(f"your {label} at {where} has the wrong sign.")
            if label == "dp/dsigma":
                from_exponent, from_factor = p * (x - mu) ** 2 / sigma**3, -p / sigma  # the two places sigma enters
                if any(math.isclose(ours, part, rel_tol=1e-9, abs_tol=1e-14) for part in (from_exponent, from_factor)):
                    raise NotYet(f"your dp/dsigma at {where} misses a contribution: sigma appears in p in more "
                                 f"than one place, and each place contributes to the derivative.")
            raise NotYet(f"your {label} at {where} is {ours:.6g}, which is off by "
                         f"{abs(ours - true) / max(abs(true), 1e-300):.1e} (relative).")
    return correct(f"your two partial derivatives agree with AD at {len(_DENSITY_POINTS)} points you did not see "
                   f"(to 9 digits).")


@functools.lru_cache(maxsize=None)
def _second_derivative_dag(n: int) -> int:
    """dag_size of d^2 l_n / dx^2, computed by differentiating the logistic map's formula twice."""
    x = symbol("x")
    return dag_size(diff(diff(logistic_map(x, n), x), x))


_SEEN, _HIDDEN = range(3, 7), range(7, 17)  # the exercise tabulates n <= 6; the check goes on to 16


@exercise_check
def check_second_derivative_dag(formula):
    """Exercise 2: formula(n) predicts dag_size of the second derivative of l_n for n >= 3."""
    for n in (*_SEEN, *_HIDDEN):
        guess = call(formula, n, on=f"n = {n}")
        if not is_number(guess):
            raise NotYet(f"{name_of(formula)} returned {guess!r} at n = {n}: it should return a number of nodes.")
        true = _second_derivative_dag(n)
        if guess != true:
            if n in _SEEN:
                raise NotYet(f"at n = {n} your formula gives {guess:g}, but the second derivative's DAG has "
                             f"{true} nodes there.")
            raise NotYet(f"your formula agrees for n = 3 to 6 but not at n = {n} (it gives {guess:g}): "
                         f"does the DAG really grow the way your formula says, step after step?")
    return correct(f"your formula gives dag_size of the second derivative for every n from 3 to {_HIDDEN[-1]}, "
                   f"also beyond the table you made.")


_CHAINS = {"sin": sin, "exp": exp}
_K = range(1, 26)


@functools.lru_cache(maxsize=None)
def _chain_sizes(name: str, k: int) -> tuple[int, int]:
    """(tree_size, dag_size) of the derivative of name(name(...name(x))), k applications."""
    x = symbol("x")
    y = x
    for _ in range(k):
        y = _CHAINS[name](y)
    d = diff(y, x)
    return tree_size(d), dag_size(d)


def _pair(value, who: str, where: str) -> tuple[float, float]:
    """value as two numbers (tree, dag), or a NotYet saying what came back instead."""
    try:
        tree, dag = value
    except (TypeError, ValueError):
        raise NotYet(f"{who} returned {value!r} for {where}: it should return two numbers, (tree, dag).") from None
    for v in (tree, dag):
        if not is_number(v):
            raise NotYet(f"{who} returned {value!r} for {where}: it should return two numbers, (tree, dag).")
    return tree, dag


_SEEN_K = range(1, 7)  # the exercise asks for k = 1 to 6; the check goes on to 25


@exercise_check
def check_chain_sizes(sin_chain_sizes, exp_chain_sizes):
    """Exercise 3: each answer(k) predicts (tree_size, dag_size) of the derivative of a k-fold chain."""
    answers = {"sin": sin_chain_sizes, "exp": exp_chain_sizes}
    for name, answer in answers.items():
        for k in _K:
            where = f"the {name} chain with k = {k}"
            tree, dag = _pair(call(answer, k, on=f"k = {k}"), name_of(answer), where)
            true_tree, true_dag = _chain_sizes(name, k)
            for size, guess, true, unit in (("tree", tree, true_tree, "entries written out"),
                                            ("DAG", dag, true_dag, "distinct nodes")):
                if guess == true:
                    continue
                hint = ""
                if size == "DAG" and name == "exp" and k in _SEEN_K:
                    sin_dag = _pair(call(sin_chain_sizes, k, on=f"k = {k}"), name_of(sin_chain_sizes), where)[1]
                    if dag == sin_dag:
                        hint = (" Your two chains have the same DAG size, but diff's do not: "
                                "what does exp's partial refer to?")
                if size == "tree" and guess > 2 * true and k >= 3:
                    hint = " Yours grows much faster than the written-out derivative: what does one more step add?"
                if k in _SEEN_K:
                    raise NotYet(f"for {where} your {size} size is {guess:g}, but diff's derivative has {true} "
                                 f"{unit}.{hint}")
                raise NotYet(f"your {size} size for the {name} chain agrees for k = 1 to 6 but not at k = {k} "
                             f"(it gives {guess:g}).{hint}")
    return correct(f"your formulas give both sizes of both chains' derivatives for every k from 1 to {_K[-1]}, "
                   f"also beyond the table you made.")
