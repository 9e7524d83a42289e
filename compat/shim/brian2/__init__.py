"""A package named ``brian2`` that maps Brian 2's public names onto simcore's.

It implements nothing: ``brian2.X`` for any submodule X is a module whose names are simcore's
public names (``from simcore import *``), under Brian 2's spelling where the two differ
(``ALIASES``). A name simcore has no counterpart for is an ``Internal`` placeholder: importing it
works, using it raises ``InternalNameUsed``, and the suite runner reports the test as "internal"
instead of "failed". ``brian2.tests`` is the real test package unpacked next to this file.
"""

import importlib.abc
import importlib.machinery
import sys
import types

import simcore
from simcore.solvers.errors import SolverError

PUBLIC = {name: getattr(simcore, name) for name in simcore.__all__}

# Brian 2's public names that simcore spells differently (none may point at an internal of simcore).
ALIASES: dict[str, str] = {}

# Brian 2's runtime device keeps the state in memory and the random state in Python, as simcore's CPU
# device does; the tests ask ``isinstance(get_device(), RuntimeDevice)`` before using either.
PUBLIC["RuntimeDevice"] = type(simcore.get_device())
# Brian 2 wraps an error raised while an object runs in BrianObjectException (the original as its cause);
# simcore raises the original, so the tests' follow-up check of the cause's type is what decides.
PUBLIC["BrianObjectException"] = Exception
# A method that cannot integrate the equations it is given: Brian 2's UnsupportedEquationsException.
PUBLIC["UnsupportedEquationsException"] = SolverError

# Brian 2's ``from brian2 import *`` also gives some of its internal classes; tests that use them are internal.
STAR_INTERNALS = ("BrianObject", "Group", "CodeRunner", "Nameable", "SpikeSource", "VariableOwner", "Variables",
                  "Variable", "Constant", "CodeObject", "NumpyCodeObject", "CythonCodeObject", "Expression",
                  "Statements")


class InternalNameUsed(Exception):
    """A test used a Brian 2 name with no public meaning in simcore."""


# Attributes of Brian 2's objects that its user documentation does not describe: the code runners a
# NeuronGroup keeps, the bookkeeping of its Variable objects and of its Variables container (simcore's
# ``variables`` is a plain mapping), and the state updaters' registry. Names with a leading underscore are
# private by Python's convention and count as internal too.
INTERNAL_ATTRIBUTES = frozenset("""
    state_updater subexpression_updater add_attribute conditional_write owner apply_stateupdater
    add_reference add_array add_constant add_subexpression add_auxiliary_variable add_referred_subexpression
    indices diffusion_state_updater
""".split())


class _InternalBase:
    """What a test's subclass of an internal Brian 2 class derives from: it cannot be instantiated."""

    def __init__(self, *args, **kwargs):
        raise InternalNameUsed(f"brian2 internal class {type(self).__mro__[1].__name__}")


class Internal:
    """A Brian 2 name the shim does not map; any use raises InternalNameUsed."""

    def __init__(self, qualified_name: str):
        object.__setattr__(self, "_qualified_name", qualified_name)

    error: type[Exception] = InternalNameUsed
    message = "brian2 internal {}"

    def _refuse(self, *args, **kwargs):
        raise type(self).error(type(self).message.format(object.__getattribute__(self, "_qualified_name")))

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        self._refuse()

    def __mro_entries__(self, bases):
        return (_InternalBase,)

    def __instancecheck__(self, instance):
        return False  # simcore's objects are no instances of Brian 2's internal classes

    def __subclasscheck__(self, subclass):
        return False

    def _derived(self, *args):
        """Module-level arithmetic on an internal constant gives another placeholder, used later or never."""
        return Internal(f"expression of {object.__getattribute__(self, '_qualified_name')}")

    __call__ = __getitem__ = __setattr__ = __iter__ = __enter__ = _refuse
    __len__ = __bool__ = __int__ = __index__ = __float__ = __eq__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _derived
    __floordiv__ = __rfloordiv__ = __pow__ = __rpow__ = __neg__ = __mod__ = __rmod__ = _derived
    __hash__ = object.__hash__

    def __repr__(self):
        return "<" + type(self).message.format(object.__getattribute__(self, "_qualified_name")) + ">"


# Brian 2's documented public names that its tests import by name; where simcore lacks one, the test
# fails (it is simcore's gap, not an internal of Brian 2).
BRIAN2_PUBLIC = frozenset("""
    BinomialFunction BrianLogger DIMENSIONLESS Dimension DimensionMismatchError EventClock Function MagicNetwork
    Quantity Unit check_units collect declare_types fail_for_dimension_mismatch get_dimensions get_logger
    get_or_create_dimension get_unit have_same_dimensions implementation in_best_unit in_unit is_dimensionless
    magic_network register_new_unit reinit_devices reset_device scheduling_summary std_silent
""".split())


class MissingPublicName(Exception):
    """A test used a public Brian 2 name that simcore does not have."""


class Missing(Internal):
    """A public Brian 2 name simcore lacks; any use raises MissingPublicName (a failure, not internal)."""

    error = MissingPublicName
    message = "simcore has no {}"


def lookup(module_name: str, name: str):
    if name in ALIASES:
        return PUBLIC[ALIASES[name]]
    if name in PUBLIC:
        return PUBLIC[name]
    if name in BRIAN2_PUBLIC:
        return Missing(name)
    return Internal(f"{module_name}.{name}")


class _MappedModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = lookup(self.__name__, name)
        self.__dict__[name] = value
        return value

    def __setattr__(self, name, value):
        """Setting a module-level switch of Brian 2 (``fundamentalunits.unit_checking = False``) is internal."""
        dunder = name.startswith("__") and name.endswith("__")
        if not (dunder or name in PUBLIC or isinstance(value, types.ModuleType)):  # imports bind submodules
            raise InternalNameUsed(f"brian2 internal {self.__name__}.{name} (set)")
        super().__setattr__(name, value)


class _ShimFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Every ``brian2.<x>`` outside ``brian2.tests`` is a mapped module."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("brian2.") or fullname.startswith("brian2.tests"):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        module = _MappedModule(spec.name)
        module.__path__ = []
        module.__all__ = sorted(PUBLIC) + list(STAR_INTERNALS)
        return module

    def exec_module(self, module):
        module.__dict__.update(PUBLIC)
        module.__dict__.update({name: Internal(f"{module.__name__}.{name}") for name in STAR_INTERNALS})


sys.meta_path.insert(0, _ShimFinder())

globals().update(PUBLIC)
globals().update({name: Internal(f"brian2.{name}") for name in STAR_INTERNALS})
__all__ = sorted(PUBLIC) + list(STAR_INTERNALS)


def __getattr__(name):
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    return lookup(__name__, name)
