"""The parameters of :class:`~sitrex.RepetitionComparator`: documentation and checks.

Kept beside the estimator (see ``_params`` for the contract): one
:class:`~._params.Parameter` per constructor argument, in ``__init__`` order.
"""

from __future__ import annotations

from sklearn.utils.validation import check_memory

from sitrex._validation import check_int, check_number
from sitrex.exceptions import InputError

from ._params import COMMON_PARAMETERS, Parameter, check_seed, one_of

__all__ = ["REPETITION_PARAMETERS"]


def _optional_int(low):
    def check(value, name):
        return None if value is None else check_int(value, name, low=low)
    return check


def _n_jobs(value, name):
    """joblib's n_jobs: None, a count >= 1, or -1, -2, ... (all cores, all but one, ...)."""
    if value is None:
        return None
    n = check_int(value, name, low=None)
    if n == 0:
        raise InputError(f"{name} must be None, a number of processes >= 1, or -1 (all cores), "
                         "-2 (all but one), ...; got 0")
    return n


def _weight(value, name):
    return check_number(value, name, low=0, high=1)


def _memory(value, name):
    try:
        return check_memory(value)
    except ValueError as exc:
        raise InputError(f"{name} must be None, a folder path or a joblib.Memory; got "
                         f"{value!r}") from exc


def _common(name, default):
    found = {p.name: p for p in COMMON_PARAMETERS}[name]
    return found if default is None else found.with_default(default)


REPETITION_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("combine", '{"agreement", "mean"}, default="agreement"',
              "How the statistic's and the networks' similarities make one.\n"
              "``\"agreement\"``: their maximum: an angle differs only where both say\n"
              "it does; :meth:`fit` then sets the statistic's constant so that one\n"
              "correct training execution in ten is below 0.5 in both.\n"
              "``\"mean\"``: the mean weighted by `statistic_weight`.",
              one_of("agreement", "mean")),
    Parameter("statistic_weight", "float, default=0.5",
              "With ``combine=\"mean\"``, the weight of the direction-aware statistic,\n"
              "the rest going to the learned networks: 0 is the learned similarity\n"
              "alone, 1 the statistic alone (the benchmark's ablation).", _weight),
    Parameter("alignment", '{"shape", "values"}, default="shape"',
              "The per-frame cost of the alignment of each candidate (and each of the\n"
              "reference's other repetitions) onto the reference's first repetition\n"
              "(:func:`sitrex.alignment.align_cyclic`'s `cost`). ``\"shape\"``: where each\n"
              "frame is within each angle's own movement, so that an arm held elsewhere\n"
              "or a shallower squat does not pull the match off the movement's phase.\n"
              "``\"values\"``: the angles themselves, each divided by its range (files\n"
              "fitted before this parameter existed).", one_of("shape", "values")),
    Parameter("n_seeds", "int, default=3",
              "Networks per variant in the ensemble (seeds ``random_state + k``);\n"
              "two variants, so ``2 * n_seeds`` networks.", _optional_int(1)),
    _common("epochs", 8), _common("batch_size", 512), _common("learning_rate", 2e-3),
    _common("threshold", None),
    Parameter("n_jobs", "int, optional",
              "Worker processes of the feature step of :meth:`fit` (alignment and\n"
              "features of every pair); None follows :func:`joblib.parallel_config`;\n"
              "-1 all cores, -2 all but one, ... as in joblib.", _n_jobs),
    Parameter("memory", "str, joblib.Memory or None, default=None",
              "Caches the feature step of :meth:`fit` (like scikit-learn's\n"
              "``Pipeline(memory=...)``): fitting again on the same pairs, or on a\n"
              "subset of whole data sets, recomputes nothing; a cache written by\n"
              "another version of sitrex's code is not read.", _memory),
    _common("angle_names", None), _common("verbose", None),
    Parameter("random_state", "int, RandomState or None, default=None",
              "Seeds the networks' initialisation and shuffling (network k of each\n"
              "variant gets ``random_state + k``; like ``keras.utils.set_random_seed``,\n"
              "this also seeds Python's and numpy's global generators). With an int, two\n"
              "fits on the JAX CPU backend give identical predictions; None leaves the\n"
              "generators alone (fresh randomness).", check_seed),
)
