"""What ``from simcore import *`` gives a Brian 2 script."""

import builtins

import pytest

from simcore import set_device, start_scope


def test_star_import_gives_the_language_and_keeps_builtins():
    namespace: dict = {}
    exec("from simcore import *", namespace)
    for name in ("Equations", "ms", "mV", "nS", "Hz", "DimensionMismatchError", "mean", "linspace", "rand",
                 "check_units", "ParseError", "zero_celsius"):
        assert name in namespace, name
    shadowed = {name for name in namespace if name in dir(builtins) and not name.startswith("__")}
    assert shadowed == set()
    exec("assert max(1, 2) == 2 and min([3, 1]) == 1 and sum(x for x in range(4)) == 6 and abs(-2) == 2",
         namespace)


def test_brian_style_script_runs():
    namespace: dict = {}
    exec(
        "from simcore import *\n"
        "tau = 10*ms\n"
        "eqs = Equations('dv/dt = -v/tau : volt (unless refractory)')\n"
        "eqs.check_units({'tau': tau})\n"
        "rates = [100, 200, 300]*Hz\n"
        "result = (mean(rates)/Hz, tau/ms, str(-70*mV))\n",
        namespace,
    )
    assert namespace["result"] == (200.0, 10.0, "-70. mV")



def test_pylab_names_import_matplotlib_lazily(monkeypatch):
    import importlib

    import simcore
    from simcore import ModelError, pylab

    assert callable(simcore.plot) and simcore.xlabel.__name__ == "xlabel"

    def no_matplotlib(name):
        raise ImportError(name)

    monkeypatch.setattr(importlib, "import_module", no_matplotlib)
    with pytest.raises(ModelError, match=r"pip install 'simcore\[plot\]'"):
        pylab.PYPLOT["plot"]([1, 2])
    with pytest.raises(ModelError, match=r"pip install 'simcore\[plot\]'"):
        simcore.plt.subplots()


def test_a_brian2_standalone_script_with_device_build_runs_unchanged():
    start_scope()  # the script's run() simulates every object of the scope: none left by other tests
    namespace: dict = {}
    script = """
from simcore import *
set_device('cpp_standalone', build_on_run=False)
group = NeuronGroup(3, 'dv/dt = (2 - v)/(10*ms) : 1', threshold='v > 1', reset='v = 0', method='exact')
spikes = SpikeMonitor(group)
run(30*ms)
device.build(directory='output', compile=True, run=True)
device.reinit()
device.activate()
counts = spikes.count[:]
"""
    try:
        with pytest.warns(UserWarning) as warned:
            exec(script, namespace)
    finally:
        set_device("cpu")
    assert list(namespace["counts"]) == [4, 4, 4]  # v crosses 1 every 10 ms * ln(2) = 6.9 ms
    messages = [str(w.message) for w in warned]
    assert any("device.build(): simcore compiles and runs each run() itself; the options ['compile', 'directory'] "
               "have no effect" in m for m in messages)
    assert "cpu" in repr(namespace["device"])
