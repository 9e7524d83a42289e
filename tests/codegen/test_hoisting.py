"""Loop-invariant subexpressions are computed once, before the element loop."""

import sympy

from simcore.codegen.templates import hoist_invariants
from simcore.equations import parse_expression
from simcore.ir import ArrayRef, Assignment, ElementCode


def test_invariant_parts_move_out_of_the_loop():
    expr = parse_expression("v*exp(-dt/tau) + v0*(1 - exp(-dt/tau)) + rand()*sigma + 2*w*g_shared").expr
    code = ElementCode(10, (ArrayRef("g", "v", "float64"), ArrayRef("g", "v0", "float64"),
                            ArrayRef("g", "g_shared", "float64", shared=True), ArrayRef("g", "w", "float64")),
                       ("v",), ("sigma", "tau"), (Assignment("v", expr),))
    lines, hoisted = hoist_invariants(code)
    text = "\n".join(lines)
    assert "_exp(-dt/tau)" in text and "constant over the loop" in text
    new = hoisted.statements[0].expr
    assert not any(isinstance(f, sympy.exp) for f in new.atoms(sympy.Function))  # exp computed once
    assert {s.name for s in new.free_symbols} >= {"v", "v0", "w"}
    assert any(type(f).__name__ == "rand" for f in new.atoms(sympy.Function))  # draws stay per element
    values = {"v": 0.3, "v0": 1.2, "w": 0.7, "g_shared": 2.0, "sigma": 0.5, "tau": 0.01, "dt": 1e-4}
    temporaries = {}
    for line in lines:
        name, rhs = line.strip().split(" = ", 1)
        temporaries[sympy.Symbol(name, real=True)] = parse_expression(rhs.split("  #")[0].replace("_exp(", "exp(")).expr
    original = expr.replace(lambda e: type(e).__name__ == "rand", lambda e: sympy.Float(0.25))
    rebuilt = new.xreplace(temporaries).replace(lambda e: type(e).__name__ == "rand", lambda e: sympy.Float(0.25))
    subs = {sympy.Symbol(k, real=True): v for k, v in values.items()}
    assert abs(float(original.xreplace(subs)) - float(rebuilt.xreplace(subs))) < 1e-12
