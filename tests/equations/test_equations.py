"""The Equations object: structure, +, substitution, str/repr round trip."""

import sympy
from seed_models import HH_NETWORK, LIF, THALAMIC

from simcore.equations import EquationKind, Equations
from simcore.units import ms, mV, nS
from simcore.units.dimension import Dimension

SECOND = Dimension.of(time=1)


def test_kinds_units_and_types():
    eqs = Equations("""
        dv/dt = (I - v)/tau : 1 (unless refractory)  # membrane
        I : 1 (constant)
        tau : second (shared, constant)
        spiking : boolean
        count : integer
        inp = a*clip(sin(2*pi*freq*t), 0, inf) : volt
        freq : Hz (constant)
        a : volt (shared)
    """)
    assert eqs.names == ("v", "I", "tau", "spiking", "count", "inp", "freq", "a")
    assert eqs["v"].kind is EquationKind.DIFFERENTIAL
    assert eqs["inp"].kind is EquationKind.SUBEXPRESSION
    assert eqs["tau"].flags == {"shared", "constant"}
    assert eqs["spiking"].var_type == "boolean"
    assert eqs["count"].var_type == "integer"
    assert eqs["tau"].dimension == SECOND
    assert eqs["freq"].dimension == SECOND**-1
    assert eqs.identifiers == {"t", "pi", "inf"}
    eqs.check_units()


def test_noise_names():
    eqs = Equations("dv/dt = -v/tau + sigma*(xi_1 + xi_2)/sqrt(tau) : volt")
    assert eqs.stochastic_variables == {"xi_1", "xi_2"}
    eqs.check_units({"tau": 10 * ms, "sigma": 1 * mV})


def test_addition_and_duplicate():
    combined = Equations("dv/dt = -v/tau : volt") + "I : amp"
    assert combined.names == ("v", "I")
    assert ("x : 1" + Equations("y : 1")).names == ("x", "y")


def test_rename_and_value_substitution():
    eqs = Equations("dg/dt = -g/tau : siemens\nI = g*(E - v) : amp", g="g_e", tau=5 * ms)
    assert eqs.names == ("g_e", "I")
    assert "tau" not in eqs.identifiers and "ms" in eqs.identifiers
    tau_expr = sympy.Float(5.0) * sympy.Symbol("ms", real=True)
    assert sympy.simplify(eqs["g_e"].expr + sympy.Symbol("g_e", real=True) / tau_expr) == 0
    assert str(eqs["g_e"]) == "dg_e/dt = -0.2*g_e/ms : siemens"
    eqs.check_units({"E": 0 * mV, "v": -60 * mV})
    plain = Equations("dv/dt = -v/tau + c/tau : 1", c=2)
    assert "2" in str(plain["v"])


def test_str_round_trip_keeps_meaning():
    for text in (LIF, HH_NETWORK, THALAMIC, "x : 1 (constant, shared)\nb : boolean"):
        eqs = Equations(text)
        again = Equations(str(eqs))
        assert again == eqs
        assert str(again) == str(eqs)


def test_repr_evaluates_back():
    eqs = Equations(LIF)
    assert eval(repr(eqs), {"Equations": Equations}) == eqs


def test_equality_ignores_layout():
    assert Equations("dv/dt=-v/tau:volt") == Equations("  dv/dt = -(v)/tau   : volt  # comment")
    assert Equations("dv/dt=-v/tau:volt") != Equations("dv/dt=-v/tau:volt (unless refractory)")


def test_dimensions_of_values():
    eqs = Equations("dg/dt = -g/tau : siemens")
    assert eqs.dimensions["g"] == (1 * nS).dimensions
