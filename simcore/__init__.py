"""simcore: equation-oriented spiking neural network simulation.

``from simcore import *`` gives what ``from brian2 import *`` gives a Brian 2
script: units, the numpy namespace (without shadowing Python builtins), the model
language, and the errors.
"""

from simcore import units as _units
from simcore.backends.select import device, get_device, set_device
from simcore.equations import (
    Equations,
    check_expression,
    check_statements,
    parse_expression,
    parse_statements,
)
from simcore.errors import (
    BackendError,
    CacheFolderError,
    EquationError,
    ModelError,
    ModelIndexError,
    ModelKeyError,
    ModelNotImplementedError,
    ModelTypeError,
    ModelValueError,
    ParseError,
    SourcePosition,
    UnknownNameError,
)
from simcore.network import (
    Network,
    NetworkOperation,
    network_operation,
    profiling_summary,
    restore,
    run,
    stop,
    store,
)
from simcore.objects.base import Clock, defaultclock, start_scope
from simcore.objects.inputs import PoissonGroup, PoissonInput, SpikeGeneratorGroup
from simcore.objects.monitors import EventMonitor, PopulationRateMonitor, SpikeMonitor, StateMonitor
from simcore.objects.neurongroup import NeuronGroup
from simcore.objects.synapses import Synapses
from simcore.objects.timedarray import TimedArray
from simcore.objects.variables import linked_var
from simcore.output.hdf5 import Output
from simcore.output.reader import load_output
from simcore.plotting import PYPLOT, PYPLOT_NAMES
from simcore.preferences import prefs
from simcore.seeding import seed
from simcore.units import *  # noqa: F403  (the unit names, constants and numpy names; see units.__all__)

__version__ = "0.1.0"

globals().update(PYPLOT)  # plot, xlabel, show, ...: matplotlib is imported on first use

__all__ = [
    *_units.__all__,
    *PYPLOT_NAMES,
    "Clock",
    "EquationError",
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
    "set_device",
    "BackendError",
    "CacheFolderError",
    "linked_var",
    "network_operation",
    "load_output",
    "Output",
    "prefs",
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
    "check_expression",
    "check_statements",
    "parse_expression",
    "parse_statements",
]
