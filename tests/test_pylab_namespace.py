"""``from simcore import *`` gives pylab's names as Brian 2's star import does, with simcore's own winning."""

import builtins

import numpy as np
import pytest

import simcore

STAR = {}
exec("from simcore import *", STAR)  # the namespace a user's script gets


@pytest.mark.parametrize("name", ["plt", "mpl", "figure", "subplot", "plot", "polar", "hlines", "eventplot",
                                  "normal", "uniform", "randint", "gamma", "beta", "choice", "shuffle",
                                  "permutation", "exponential", "inv", "solve", "svd", "det", "norm", "fft",
                                  "ifft", "rfft", "fftfreq", "matplotlib", "rcParams", "ScalarFormatter",
                                  "Normalize", "cycler"])
def test_pylab_names_are_given(name):
    assert name in STAR


def test_numpy_submodule_functions_are_numpy_s():
    matrix = np.array([[2.0, 1.0], [1.0, 3.0]])
    assert np.allclose(STAR["inv"](matrix) @ matrix, np.eye(2))
    assert np.allclose(STAR["solve"](matrix, [3.0, 4.0]), [1.0, 1.0])
    assert np.allclose(STAR["fft"]([1.0, 0.0, 0.0, 0.0]), [1, 1, 1, 1])
    np.random.seed(3)
    first = STAR["normal"](0, 1, 5)
    np.random.seed(3)
    assert np.array_equal(first, np.random.normal(0, 1, 5))
    assert STAR["randint"](4, 5) == 4


def test_simcore_names_win_over_pylab_s():
    assert STAR["seed"] is simcore.seed  # not numpy.random.seed
    assert STAR["mean"] is simcore.mean
    values = [1.0, 2.0, 4.0] * simcore.mV
    assert abs(STAR["mean"](values) - 7 / 3 * simcore.mV) < 1e-12 * simcore.mV
    for name in ("sum", "max", "min", "abs", "round", "all", "any", "pow", "bytes", "bool"):
        assert name not in STAR or STAR[name] is getattr(builtins, name), name


def test_pyplot_classes_and_settings_are_given_lazily():
    import os
    import subprocess
    import sys

    script = ("import sys\nfrom simcore import *\nassert 'matplotlib' not in sys.modules\n"
              "rcParams['font.size'] = 9\nassert matplotlib.rcParams['font.size'] == 9\n"
              "assert type(ScalarFormatter()).__name__ == 'ScalarFormatter'\nassert Normalize(0, 2)(1.0) == 0.5\n"
              "assert cm == cmetre  # a unit, as in Brian 2: simcore's names win\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr
