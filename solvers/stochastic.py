"""Methods for multiplicative noise: stochastic Heun and derivative-free Milstein, both in the
Stratonovich sense, as Brian 2 integrates (its documented milstein scheme has no -dt in the
correction, and its stochastic_odes example compares it with the Stratonovich solution of
geometric Brownian motion).

For dx = f(x, t) dt + sum_k g_k(x, t) dW_k, with dW_k = sqrt(dt)*randn(k):

heun       x_p   = x + f(x, t) dt + sum_k g_k(x, t) dW_k
           x_new = x + (f(x, t) + f(x_p, t + dt)) dt/2 + sum_k (g_k(x, t) + g_k(x_p, t + dt)) dW_k/2
           (without noise: the trapezoidal predictor-corrector, order 2)
milstein   x_k   = x + f(x, t) dt + g_k(x, t) sqrt(dt)           (one support point per source)
           x_new = x + f dt + sum_k g_k dW_k + sum_k (g_k(x_k, t) - g_k(x, t)) dW_k**2/(2 sqrt(dt))
           (the finite difference replaces the derivative g' g of Milstein's scheme; the mean of the
           correction, g' g dt/2, is the Stratonovich drift: the Itô form would subtract dt from dW_k**2;
           as in Brian 2, the support point includes the drift, which limits the strong order to 1/2)
"""

from __future__ import annotations

import sympy

from simcore.equations import to_text
from simcore.equations.functions import randn
from simcore.solvers.analysis import DT, OdeSystem, T
from simcore.solvers.base import Block, IntegrationMethod


def _increments(system: OdeSystem, block: Block) -> dict[int, sympy.Symbol]:
    """One temporary per noise source in use: its Wiener increment over the step."""
    used = sorted({k for name in system.variables for k in system.diffusion[name]})
    increments = {}
    for k in used:
        xi = system.noise_names[k]
        users = [n for n in system.variables if k in system.diffusion[n]]
        increments[k] = block.temp(f"_dW_{xi}", sympy.sqrt(DT) * randn(sympy.Integer(k)),
                                   f"Wiener increment of '{xi}' over dt, for {system.text(users[0])}")
    return increments


def _read(system: OdeSystem, exprs) -> list[str]:
    """The variables that any of ``exprs`` reads, in equation order."""
    symbols = system.symbols
    free = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
    return [n for n in system.variables if symbols[n] in free]


class StochasticHeun(IntegrationMethod):
    def __init__(self):
        super().__init__(order=2, strong_order=1.0, noise=("multiplicative",),
                         description="stochastic Heun, Stratonovich; strong order 1 for a single or commuting "
                                     "noise sources, 0.5 otherwise")

    def build(self, system: OdeSystem, block: Block) -> tuple:
        symbols = system.symbols
        dW = _increments(system, block)
        coefficients = [g for n in system.variables for g in system.diffusion[n].values()]
        slope = {name: f if f.is_Atom else block.temp(f"_f_{name}", f, system.text(name))
                 for name, f in system.drift.items()}
        support = {}
        for name in _read(system, [*system.drift.values(), *coefficients]):
            noise = sympy.Add(*(g * dW[k] for k, g in system.diffusion[name].items()))
            support[symbols[name]] = block.temp(f"_{name}_support", symbols[name] + DT * slope[name] + noise,
                                                system.text(name))
        support[T] = T + DT
        for name in system.variables:
            f = system.drift[name]
            noise = sympy.Add(*((g + g.xreplace(support)) * dW[k] for k, g in system.diffusion[name].items()))
            block.final(name, symbols[name] + DT * (slope[name] + f.xreplace(support)) / 2 + noise / 2)
        return ()


class DerivativeFreeMilstein(IntegrationMethod):
    def __init__(self):
        # Brian 2's scheme: the drift in the support point leaves a bias of g'*f*dt**1.5/2 per step, so the
        # strong order is 1/2 where f*g' != 0 (1 for a driftless equation)
        super().__init__(order=1, strong_order=0.5, noise=("multiplicative",),
                         description="derivative-free Milstein, Stratonovich")

    def build(self, system: OdeSystem, block: Block) -> tuple:
        symbols = system.symbols
        states = set(symbols.values())
        multiplicative = sorted({k for n in system.variables for k, g in system.diffusion[n].items()
                                 if g.free_symbols & states})
        self._check_commuting(system, multiplicative)
        dW = _increments(system, block)
        supports = {}
        for k in multiplicative:
            xi = system.noise_names[k]
            read = _read(system, [system.diffusion[n][k] for n in system.variables if k in system.diffusion[n]])
            supports[k] = {}
            for name in read:
                g = system.diffusion[name].get(k, sympy.S.Zero)
                supports[k][symbols[name]] = block.temp(
                    f"_{name}_support_{xi}", symbols[name] + DT * system.drift[name] + g * sympy.sqrt(DT),
                    system.text(name))
        for name in system.variables:
            new = symbols[name] + DT * system.drift[name]
            for k, g in system.diffusion[name].items():
                new += g * dW[k]
                if k in supports:
                    new += (g.xreplace(supports[k]) - g) * dW[k] ** 2 / (2 * sympy.sqrt(DT))
            block.final(name, new)
        return ()

    def _check_commuting(self, system: OdeSystem, multiplicative: list[int]) -> None:
        """One support point per source is exact to strong order 1 only if no source changes
        another's coefficient (sum_l g_l^j d/dx_l g_m^k = 0 for j != k): refuse otherwise."""
        if len(multiplicative) < 1:
            return
        symbols = system.symbols
        sources = sorted({k for n in system.variables for k in system.diffusion[n]})
        for k in multiplicative:
            for j in sources:
                if j == k:
                    continue
                for m in system.variables:
                    g = system.diffusion[m].get(k, sympy.S.Zero)
                    effect = sympy.Add(*(system.diffusion[n].get(j, sympy.S.Zero) * g.diff(symbols[n])
                                         for n in system.variables))
                    if effect != 0:
                        xi_j, xi_k = system.noise_names[j], system.noise_names[k]
                        raise self.fail(system, m, f"the noise sources '{xi_j}' and '{xi_k}' do not commute "
                                        f"(the coefficient of '{xi_k}' in d{m}/dt, {to_text(g)}, depends on a "
                                        f"variable that '{xi_j}' drives); use 'heun'")


HEUN = StochasticHeun()
MILSTEIN = DerivativeFreeMilstein()
