"""The seeds' models parse into the expected structure and pass the unit check."""

import pytest
import sympy
from seed_models import (
    HH_NETWORK,
    HH_SWEEP,
    LIF,
    STDP,
    STDP_ON_POST,
    STDP_ON_PRE,
    SYNFIRE,
    THALAMIC,
    TOPOGRAPHIC_CONDITIONS,
)

from simcore.equations import EquationKind, Equations, parse_expression, parse_statements
from simcore.units import DimensionMismatchError, Hz, amp, cm, ms, msiemens, mV, nS, siemens, ufarad, umetre
from simcore.units.dimension import DIMENSIONLESS, Dimension

VOLT = Dimension.of(mass=1, length=2, time=-3, current=-1)


def test_lif_structure_and_flags():
    eqs = Equations(LIF)
    assert eqs.diff_eq_names == ("v", "ge", "gi")
    assert eqs["v"].flags == {"unless refractory"}
    assert eqs["v"].dimension == VOLT
    v, ge, gi, El, taum = sympy.symbols("v ge gi El taum", real=True)
    assert sympy.simplify(eqs["v"].expr - (ge + gi - v + El) / taum) == 0
    assert eqs.identifiers == {"El", "taum", "taue", "taui"}
    eqs.check_units({"El": -60 * mV, "taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms})


def test_hh_sweep_seed_has_inconsistent_units():
    """Seed 003 writes (mV**1) where the rate constants need (mV**-1): a simulator must refuse it."""
    eqs = Equations(HH_SWEEP)
    assert eqs.diff_eq_names == ("v", "m", "n", "h")
    assert eqs.subexpr_names == ("alpha_m", "beta_m", "alpha_h", "beta_h", "alpha_n", "beta_n")
    assert eqs.parameter_names == ("I", "g_na")
    assert eqs["I"].flags == {"constant"}
    area = 20000 * umetre**2
    namespace = dict(area=area, Cm=(1 * ufarad * cm**-2) * area, gl=(5e-5 * siemens * cm**-2) * area,
                     EI=-60 * mV, EK=-90 * mV, ENa=50 * mV, g_kd=(30 * msiemens * cm**-2) * area, VT=-63 * mV)
    with pytest.raises(DimensionMismatchError) as info:
        eqs.check_units(namespace)
    message = str(info.value)
    assert "'alpha_m'" in message and "declared as Hz (hertz)" in message
    fixed = Equations(HH_SWEEP.replace("(mV**1)", "(mV**-1)"))
    fixed.check_units(namespace)


def test_hh_network_seed_checks():
    eqs = Equations(HH_NETWORK)
    assert len(eqs) == 12
    assert [eq.kind for eq in eqs].count(EquationKind.SUBEXPRESSION) == 6
    area = 20000 * umetre**2
    namespace = dict(Cm=(1 * ufarad * cm**-2) * area, gl=(5e-5 * siemens * cm**-2) * area, El=-60 * mV,
                     EK=-90 * mV, ENa=50 * mV, g_na=(100 * msiemens * cm**-2) * area,
                     g_kd=(30 * msiemens * cm**-2) * area, VT=-63 * mV, taue=5 * ms, taui=10 * ms,
                     Ee=0 * mV, Ei=-80 * mV)
    eqs.check_units(namespace)
    assert eqs["ge"].dimension == (1 * nS).dimensions


def test_multiline_expression_and_comment():
    eqs = Equations(THALAMIC)
    assert eqs["m"].kind is EquationKind.DIFFERENTIAL
    assert {"v2", "tadj_HH", "mV", "ms", "m"} <= eqs["m"].identifiers
    assert eqs["I_inj"].flags == {"point current"}
    assert eqs["Im"].dimension == (1 * amp / cm**2).dimensions
    assert eqs["m"].position.line == 7
    assert eqs.ordered_subexpressions()[0].name in ("v2", "Im", "I_Na")
    names = [eq.name for eq in eqs.ordered_subexpressions()]
    assert names.index("I_Na") < names.index("Im")


def test_stdp_synapse_model_and_statements():
    eqs = Equations(STDP)
    assert eqs["Apre"].flags == {"event-driven"}
    eqs.check_flags("Synapses")
    pre = parse_statements(STDP_ON_PRE)
    assert [(s.target, s.op) for s in pre] == [("ge", "+="), ("Apre", "+="), ("w", "=")]
    assert type(pre.statements[2].expr).__name__ == "clip"
    post = parse_statements(STDP_ON_POST)
    assert post.targets == ("Apost", "w")
    assert post.statements[1].position.line == 2


def test_synfire_noise_continuation():
    eqs = Equations(SYNFIRE)
    assert eqs.stochastic_variables == {"xi"}
    assert eqs.is_stochastic
    eqs.check_units({"Vr": -70 * mV, "taum": 10 * ms, "taupsp": 0.325 * ms})


@pytest.mark.parametrize("condition", TOPOGRAPHIC_CONDITIONS)
def test_topographic_connection_expressions(condition):
    expression = parse_expression(condition)
    assert expression.identifiers <= {"i", "j", "N", "x_pre", "x_post", "y_pre", "y_post", "umeter",
                                      "n_neurons", "p_max"}


def test_rate_units_of_subexpressions():
    eqs = Equations(HH_NETWORK)
    assert eqs["alpham"].dimension == (1 * Hz).dimensions
    assert eqs["m"].dimension == DIMENSIONLESS
