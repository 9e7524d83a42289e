"""What ``from simcore.units import *`` gives: builtins intact, numpy names, constants."""

from __future__ import annotations

import builtins
import subprocess
import sys

import numpy as np
import pytest

import simcore.units as units
from simcore.units.numpy_names import NUMPY_EXPORTS


def star_namespace() -> dict:
    namespace: dict = {}
    exec("from simcore.units import *", namespace)
    return namespace


def test_star_import_keeps_builtins_working():
    namespace = star_namespace()
    code = """
assert max(3, 4) == 4 and min([5, 2]) == 2 and abs(-3) == 3
assert sum(x for x in range(4)) == 6 and sum([1, 2], 10) == 13
assert round(2.567, 1) == 2.6 and all([1, 1]) and any([0, 1]) and pow(2, 3) == 8
assert max(x * x for x in range(3)) == 4 and bool(1) is True
"""
    exec(code, namespace)
    for name in ("sum", "max", "min", "abs", "round", "all", "any", "pow", "bool"):
        assert name not in namespace or namespace[name] is getattr(builtins, name)


def test_no_numpy_export_shadows_a_builtin():
    assert not set(NUMPY_EXPORTS) & set(dir(builtins))
    assert not set(units.__all__) & set(dir(builtins))


def test_numpy_names_are_exported():
    namespace = star_namespace()
    for name in (
        "mean",
        "sqrt",
        "diff",
        "clip",
        "linspace",
        "zeros",
        "ones",
        "exp",
        "log",
        "sin",
        "pi",
        "inf",
        "nan",
        "array",
        "ndarray",
        "where",
        "cumsum",
        "concatenate",
        "std",
        "newaxis",
    ):
        assert namespace[name] is getattr(np, name), name
    assert namespace["rand"] is np.random.rand and namespace["randn"] is np.random.randn
    assert namespace["asarray"] is units.asarray
    assert namespace["np"] is np and namespace["numpy"] is np
    assert "random" not in namespace and "linalg" not in namespace


def test_the_exported_groups_share_no_name():
    from simcore.units.constants import CONSTANTS
    from simcore.units.numpy_names import NUMPY_NAMESPACE

    groups = [set(NUMPY_NAMESPACE), set(units.UNIT_NAMES), set(CONSTANTS)]
    assert sum(len(group) for group in groups) == len(set.union(*groups))
    for name in units.__all__:
        assert getattr(units, name) is not None or name == "newaxis"


def test_user_facing_names_are_exported():
    namespace = star_namespace()
    for name in (
        "Quantity",
        "Unit",
        "Dimension",
        "DIMENSIONLESS",
        "DimensionMismatchError",
        "get_dimensions",
        "get_unit",
        "have_same_dimensions",
        "is_dimensionless",
        "check_units",
        "to_si",
        "fail_for_dimension_mismatch",
        "mV",
        "ms",
        "nS",
        "cm2",
        "metre",
        "meter",
        "siemens",
        "mM",
        "kg",
        "faraday_constant",
        "zero_celsius",
    ):
        assert name in namespace, name
    for name in ("s", "m", "N", "V", "S", "M", "ureg", "UNIT_NAMES"):
        assert name not in namespace, name


def test_brian_style_script_lines():
    namespace = star_namespace()
    exec(
        """
t = arange(0, 100) * 0.1 * ms
i = zeros(100, dtype=int)
x = t / ms
assert isinstance(x, ndarray) and abs(x[-1] - 9.9) < 1e-12
v = -70 * mV + rand(10) * 10 * mV
assert (v >= -70 * mV).all() and (v <= -60 * mV).all()
assert abs(mean(v / mV) + 65) < 5
assert str(-70 * mV) == '-70. mV'
r = arange(0 * ms, 10 * ms, 2 * ms)
assert str(r) == '[0. 2. 4. 6. 8.] ms'
assert len(randn(5)) == 5
""",
        namespace,
    )


def test_unit_aware_arange():
    from simcore.units import arange, ms, mV, second

    np.testing.assert_allclose(arange(0 * ms, 1 * second, 250 * ms).m_as(ms), [0, 250, 500, 750])
    np.testing.assert_allclose(arange(0, 3 * ms, 1 * ms).m_as(ms), [0, 1, 2])
    np.testing.assert_array_equal(arange(3), [0, 1, 2])
    with pytest.raises(units.DimensionMismatchError):
        arange(0 * ms, 3 * mV)
    with pytest.raises(units.DimensionMismatchError, match="step"):  # 1 of which unit? (as Brian 2)
        arange(0, 3 * ms)


@pytest.mark.parametrize(
    "name, value, unit",
    [
        ("avogadro_constant", 6.02214076e23, "1/mole"),
        ("faraday_constant", 96485.33212, "coulomb/mole"),
        ("gas_constant", 8.314462618, "joule/(mole*kelvin)"),
        ("boltzmann_constant", 1.380649e-23, "joule/kelvin"),
        ("elementary_charge", 1.602176634e-19, "coulomb"),
        ("zero_celsius", 273.15, "kelvin"),
        ("electric_constant", 8.8541878128e-12, "farad/metre"),
        ("magnetic_constant", 1.25663706212e-6, "newton/amp**2"),
        ("electron_mass", 9.1093837015e-31, "kg"),
        ("molar_mass_constant", 1e-3, "kg/mole"),
    ],
)
def test_constants(name, value, unit):
    constant = getattr(units, name)
    expected_unit = eval(unit, {}, dict(units.UNIT_NAMES))
    assert units.have_same_dimensions(constant, expected_unit)
    assert units.to_si(constant)[0] == pytest.approx(value, rel=1e-9)


def test_faraday_is_avogadro_times_elementary_charge():
    product = units.avogadro_constant * units.elementary_charge
    assert units.to_si(product)[0] == pytest.approx(units.to_si(units.faraday_constant)[0], rel=1e-12)


def test_import_is_a_light_leaf():
    """simcore.units alone (its parent package stubbed) loads no other simcore module than simcore.errors
    (its ModelTypeError...) and no heavy library (pint itself imports the bare ``scipy`` package when present)."""
    code = """
import importlib.util, sys, types
package = types.ModuleType("simcore")
package.__path__ = list(importlib.util.find_spec("simcore").submodule_search_locations)
sys.modules["simcore"] = package
import simcore.units
heavy = ("numba", "matplotlib", "h5py", "sympy", "scipy.linalg", "scipy.sparse", "scipy.special")
print(sorted(m for m in heavy if m in sys.modules))
print(sorted(m for m in sys.modules if m.startswith("simcore.") and not m.startswith("simcore.units")
             and m != "simcore.errors"))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "[]"]
