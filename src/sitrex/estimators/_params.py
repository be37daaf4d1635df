"""The estimators' parameters, described once: their documentation and their checks.

Each :class:`Parameter` says how a constructor parameter is documented
(numpydoc type line and text) and how ``fit`` validates it. The estimators'
docstrings are rendered from these tuples (:func:`fill_parameters`), and
:func:`validate_parameters` checks them, so the two cannot drift apart.
Defaults live in the ``__init__`` signatures (scikit-learn's convention); a
test checks that the documented defaults match them.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sitrex._validation import check_int, check_number, check_probability
from sitrex.exceptions import InputError

__all__ = ["ARCHITECTURE", "COMMON_PARAMETERS", "SHARED_PARAMETERS", "USEFULNESS_MAX_LEN",
           "Parameter", "fill_parameters", "insert_parameter", "one_of", "validate_parameters"]


class Parameter(NamedTuple):
    """One constructor parameter: how it is documented and checked.

    Attributes
    ----------
    name : str
    type : str
        The numpydoc type line, with the default (``"int, default=64"``).
    description : str
        Unindented text under the type line; may be empty.
    check : callable or None
        ``check(value, name)`` raises :class:`~sitrex.exceptions.InputError`
        for a bad value; None accepts anything.
    """

    name: str
    type: str
    description: str = ""
    check: Callable[[Any, str], Any] | None = None

    def with_default(self, value: Any) -> Parameter:
        """The same parameter documented with another default (an estimator of its own).

        Examples
        --------
        >>> EPOCHS = Parameter("epochs", "int, default=30", "Passes.")
        >>> EPOCHS.with_default(8).type
        'int, default=8'
        """
        if "default=" not in self.type:
            raise ValueError(f"{self.name} documents no default to replace")
        return self._replace(type=f"{self.type.split('default=')[0]}default={value!r}")

    def render(self, indent: str) -> str:
        """The numpydoc entry, every line indented by `indent`."""
        lines = f"{indent}{self.name} : {self.type}\n"
        if self.description:
            lines += textwrap.indent(self.description.rstrip("\n") + "\n", indent + "    ")
        return lines


def _positive_int(value: Any, name: str) -> int:
    return check_int(value, name, low=1)


def _optional_positive_int(value: Any, name: str) -> int | None:
    return None if value is None else check_int(value, name, low=1)


def one_of(*allowed: Any) -> Callable[[Any, str], Any]:
    """A parameter check: the value must be one of the strings `allowed`."""
    def check(value: Any, name: str) -> Any:
        if not isinstance(value, str) or value not in allowed:
            raise InputError(f"{name} must be one of {', '.join(map(repr, allowed))}; got "
                             f"{value!r}")
        return value

    return check


def _boolean(value: Any, name: str) -> bool:
    if value not in (True, False):
        raise InputError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_seed(value: Any, name: str) -> Any:
    """A random_state: an int >= 0, a numpy RandomState or Generator, or None."""
    import numpy as np

    if value is None or isinstance(value, (np.random.RandomState, np.random.Generator)):
        return value
    return check_int(value, name, low=0, high=2**32 - 1)


def _verbose(value: Any, name: str) -> int:
    return int(value) if isinstance(value, bool) else check_int(value, name, low=0)


def _names(value: Any, name: str) -> Any:
    if value is not None and (isinstance(value, str) or not hasattr(value, "__iter__")):
        raise InputError(f"{name} must be a sequence of names (one per angle column), or None; "
                         f"got {value!r}")
    return value


def _dropout(value: Any, name: str) -> float:
    return check_number(value, name, low=0, high=1, high_open=True)


def _open_fraction(value: Any, name: str) -> float:
    return check_number(value, name, low=0, high=1, low_open=True, high_open=True)


def _learning_rate(value: Any, name: str) -> float:
    return check_number(value, name, low=0, low_open=True)


#: Every parameter of the transformer estimators, in the order of their ``__init__``.
SHARED_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("encoder", '{"transformer", "gru", "lstm"}, default="transformer"',
              "Sequence block (the paper's ablation).", one_of("transformer", "gru", "lstm")),
    Parameter("embed_dim", "int, default=64", "Projection and sequence-block size.",
              _positive_int),
    Parameter("num_heads", "int, default=4", "Attention heads.", _positive_int),
    Parameter("key_dim", "int, default=16", "Size of each attention head (the paper used 64).",
              _positive_int),
    Parameter("ff_dim", "int, default=64", "Feed-forward size of the transformer block.",
              _positive_int),
    Parameter("dropout", "float, default=0.1", "Dropout rate, in [0, 1).", _dropout),
    Parameter("head_units", "int, default=32", "Size of the ``Dense(relu)`` embedding head.",
              _positive_int),
    Parameter("angle_encoding", '{"sincos", "degrees"}, default="sincos"',
              "Angles enter as sine and cosine (handles the 360 wrap) or raw\n"
              "degrees (the paper).", one_of("sincos", "degrees")),
    Parameter("positional", '{"learned", "fixed", "none"}, default="learned"',
              "Positional table of the transformer: trained, frozen random (the\n"
              "paper), or none.", one_of("learned", "fixed", "none")),
    Parameter("mask_padding", "bool, default=True",
              "Mask padding in attention and pooling (False: the paper, whose\n"
              "outputs depend on the padded length).", _boolean),
    Parameter("patch_size", "int, default=4",
              "Frames per token (1 in the paper); 4 makes training several times\n"
              "faster at little cost (see :class:`sitrex.models.SequenceEncoder`).",
              _positive_int),
    Parameter("max_len", "int, default=100",
              "Frames the network sees. Shorter sequences are zero-padded and\n"
              "masked; longer ones keep their **last** `max_len` frames (the most\n"
              "recent movement, as in the paper's live sliding window).", _positive_int),
    Parameter("epochs", "int, default=30", "Passes over the training data.", _positive_int),
    Parameter("batch_size", "int, default=32", "Training samples per gradient step.",
              _positive_int),
    Parameter("learning_rate", "float, default=1e-3", "Adam learning rate.", _learning_rate),
    Parameter("early_stopping", "bool, default=False",
              "Hold out `validation_fraction` of the training samples and stop when\n"
              "the validation loss has not improved for `n_iter_no_change` epochs,\n"
              "keeping the best weights (in memory; nothing is written to disk).", _boolean),
    Parameter("validation_fraction", "float, default=0.1",
              "Fraction of the training samples held out by `early_stopping`, in\n"
              "(0, 1).", _open_fraction),
    Parameter("n_iter_no_change", "int, default=5",
              "Epochs without improvement before `early_stopping` stops.", _positive_int),
    Parameter("threshold", "float, default=0.5",
              "Probability at or above which `predict` says 1.", check_probability),
    Parameter("missing", '{"raise", "interpolate"}, default="raise"',
              "NaN angles: raise an InputError (a ValueError), or fill them with\n"
              ":func:`sitrex.fill_gaps` (linear interpolation in time; angles never\n"
              "measured in a sequence become 0).", one_of("raise", "interpolate")),
    Parameter("angle_names", "sequence of str, optional",
              "Names of the angle columns, for :meth:`compare`-style output.\n"
              "Default: :data:`sitrex.ANGLE_NAMES` for 23 columns, else\n"
              '``"angle 0"``, ``"angle 1"``, ...', _names),
    Parameter("verbose", "int, default=0",
              "0 silent; 1 a per-epoch progress bar with the losses.", _verbose),
    Parameter("random_state", "int, RandomState or None, default=None",
              "Seeds weight initialisation, shuffling and dropout (like\n"
              "``keras.utils.set_random_seed``, this also seeds Python's and\n"
              "numpy's global generators). With an int, two fits on the JAX CPU\n"
              "backend give identical predictions.", check_seed),
)

_BY_NAME = {p.name: p for p in SHARED_PARAMETERS}

#: The parameters every sitrex estimator has (the repetition comparator too), in order;
#: another estimator may document other defaults (:meth:`Parameter.with_default`).
COMMON_PARAMETERS: tuple[Parameter, ...] = tuple(
    _BY_NAME[name] for name in ("epochs", "batch_size", "learning_rate", "threshold",
                                "angle_names", "verbose", "random_state"))

#: The parameters that shape a network (passed to :mod:`sitrex.models` builders).
ARCHITECTURE: tuple[str, ...] = ("encoder", "embed_dim", "num_heads", "key_dim", "ff_dim",
                                 "dropout", "head_units", "angle_encoding", "positional",
                                 "mask_padding", "patch_size")

#: The comparator's own parameter (placed after ``max_len``).
USEFULNESS_MAX_LEN = Parameter(
    "usefulness_max_len", "int, optional",
    "Frames the usefulness network sees; default `max_len`. The paper's\n"
    "published networks differ (800 for usefulness, 300 for similarity).",
    _optional_positive_int)


def insert_parameter(parameters: Sequence[Parameter], parameter: Parameter, *,
                     after: str) -> tuple[Parameter, ...]:
    """`parameters` with `parameter` placed right after the one named `after`.

    Examples
    --------
    >>> names = [p.name for p in insert_parameter(SHARED_PARAMETERS, USEFULNESS_MAX_LEN,
    ...                                           after="max_len")]
    >>> names[names.index("max_len") + 1]
    'usefulness_max_len'
    """
    names = [p.name for p in parameters]
    if after not in names:
        raise LookupError(f"no parameter named {after!r} to insert {parameter.name!r} after")
    position = names.index(after) + 1
    return (*parameters[:position], parameter, *parameters[position:])


_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{params\}[ \t]*\n", re.MULTILINE)


def fill_parameters(docstring: str, parameters: Sequence[Parameter]) -> str:
    """`docstring` with its ``{params}`` line replaced by the rendered parameters.

    The entries take the placeholder line's indentation. A docstring without
    exactly one placeholder line is an error (at import, not silently).

    Examples
    --------
    >>> doc = "Parameters\\n----------\\n{params}\\n\\nReturns\\n-------\\n"
    >>> print(fill_parameters(doc, SHARED_PARAMETERS[:2]), end="")
    Parameters
    ----------
    encoder : {"transformer", "gru", "lstm"}, default="transformer"
        Sequence block (the paper's ablation).
    embed_dim : int, default=64
        Projection and sequence-block size.
    <BLANKLINE>
    Returns
    -------
    """
    found = list(_PLACEHOLDER.finditer(docstring))
    if len(found) != 1:
        raise ValueError(f"a docstring template needs exactly one '{{params}}' line; found "
                         f"{len(found)}")
    match = found[0]
    rendered = "".join(p.render(match["indent"]) for p in parameters)
    return docstring[:match.start()] + rendered + docstring[match.end():]


def validate_parameters(estimator: Any, parameters: Sequence[Parameter]) -> None:
    """Check the estimator's current value of every parameter that has a check.

    Raises
    ------
    sitrex.exceptions.InputError
        Naming the first bad parameter and what it accepts.
    """
    for parameter in parameters:
        if parameter.check is not None:
            parameter.check(getattr(estimator, parameter.name), parameter.name)
