"""simcore: equation-oriented spiking neural network simulation.

``from simcore import *`` gives what ``from brian2 import *`` gives a Brian 2
script: units, the numpy namespace (without shadowing Python builtins), the model
language, and the errors.
"""

import gc as _gc

from simcore import units as _units
from simcore.backends.select import device, get_device, reinit_devices, reset_device, set_device
from simcore.equations import (
    Equations,
    check_expression,
    check_statements,
    parse_expression,
    parse_statements,
)
from simcore.equations.numeric import exprel
from simcore.equations.python_functions import BinomialFunction, Function, declare_types, implementation
from simcore.errors import (
    BackendError,
    CacheFolderError,
    EquationError,
    EquationSyntaxError,
    ModelError,
    ModelIndexError,
    ModelKeyError,
    ModelNotImplementedError,
    ModelTypeError,
    ModelValueError,
    ParseError,
    SourcePosition,
    UnknownNameError,
    UnknownUnitError,
)
from simcore.logger import BrianLogger, get_logger, std_silent
from simcore.magic import (
    MagicError,
    MagicNetwork,
    magic_network,
    profiling_summary,
    restore,
    run,
    scheduling_summary,
    store,
)
from simcore.morphology import Cylinder, Morphology, Section, Soma
from simcore.network import Network, stop
from simcore.objects.base import Clock, EventClock, collect, defaultclock, start_scope
from simcore.objects.inputs import PoissonGroup, PoissonInput, SpikeGeneratorGroup
from simcore.objects.monitors import EventMonitor, PopulationRateMonitor, SpikeMonitor, StateMonitor
from simcore.objects.network_operation import NetworkOperation, network_operation
from simcore.objects.neurongroup import NeuronGroup
from simcore.objects.spatialneuron import SpatialNeuron
from simcore.objects.synapses import Synapses
from simcore.objects.timedarray import TimedArray
from simcore.objects.variable_views import linked_var
from simcore.output.hdf5 import Output
from simcore.output.nwb import export_nwb, read_nwb
from simcore.output.reader import load_output
from simcore.parameter_sweep import sweep
from simcore.preferences import prefs
from simcore.pylab import PYLAB
from simcore.seeding import seed
from simcore.solvers import public as _methods
from simcore.solvers.public import *  # noqa: F403  (euler, rk4, exact, gsl_rkf45, ...: Brian 2's method objects)
from simcore.sweep_results import SweepResult
from simcore.units import *  # noqa: F403  (the unit names, constants and numpy names; see units.__all__)

__version__ = "0.1.0"

# Brian 2's star import gives its codegen package, and scripts set ``codegen.target = 'numpy'`` (which Brian 2
# ignores); here that is the preference section, so simcore reports the setting as one it does not use
codegen = prefs.codegen

# pylab's names (plot, plt, normal, inv, fft, ...) where simcore has none of its own; matplotlib on first use
_PYLAB = {name: value for name, value in PYLAB.items() if name not in globals()}
globals().update(_PYLAB)

__all__ = [
    *_units.__all__,
    *_methods.__all__,
    *_PYLAB,
    "Clock",
    "EquationError",
    "EquationSyntaxError",
    "EventMonitor",
    "Equations",
    "Network",
    "NetworkOperation",
    "NeuronGroup",
    "PoissonGroup",
    "PoissonInput",
    "PopulationRateMonitor",
    "SpikeGeneratorGroup",
    "SpikeMonitor",
    "StateMonitor",
    "Synapses",
    "TimedArray",
    "defaultclock",
    "device",
    "get_device",
    "EventClock",
    "MagicError",
    "MagicNetwork",
    "collect",
    "magic_network",
    "scheduling_summary",
    "BinomialFunction",
    "Function",
    "declare_types",
    "exprel",
    "implementation",
    "BrianLogger",
    "get_logger",
    "std_silent",
    "reinit_devices",
    "reset_device",
    "set_device",
    "BackendError",
    "CacheFolderError",
    "linked_var",
    "network_operation",
    "load_output",
    "Output",
    "export_nwb",
    "read_nwb",
    "prefs",
    "codegen",
    "profiling_summary",
    "restore",
    "run",
    "store",
    "seed",
    "start_scope",
    "stop",
    "ModelError",
    "ModelIndexError",
    "ModelKeyError",
    "ModelNotImplementedError",
    "ModelTypeError",
    "ModelValueError",
    "ParseError",
    "SourcePosition",
    "UnknownNameError",
    "UnknownUnitError",
    "check_expression",
    "check_statements",
    "parse_expression",
    "parse_statements",
    "Cylinder",
    "Morphology",
    "Section",
    "Soma",
    "SpatialNeuron",
    "sweep",
    "SweepResult",
]

# The ~130,000 objects of the modules imported above (sympy, numba, numpy, scipy, h5py...) live as long as the
# process; the cyclic garbage collector need not walk them again at each full collection (60-100 ms each with
# ~200,000 objects: about half of each run's start over a small network's first ten runs, 7 % over a hundred).
# Objects made later are collected as before.
_gc.freeze()
