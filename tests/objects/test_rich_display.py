"""How quantities, units, equations and simcore's objects show in a notebook: LaTeX of quantities and equations
(exact text), HTML summaries of groups, synapses, monitors, networks and files (their facts, variables with units,
the integration method), every piece of user text escaped. One small network, run once."""

import numpy as np
import pytest
import sympy

from simcore import (
    Equations,
    Network,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    amp,
    cm,
    load_output,
    ms,
    mV,
    second,
    start_scope,
    uF,
)
from simcore.display import html_summary, html_table
from simcore.equations import parse_expression
from simcore.equations.printer import to_latex
from simcore.output.reader import Recording, StoredMonitor

MODEL = """dv/dt = (20*mV - v)/(2*ms) : volt (unless refractory)
           I = v/(100*Mohm) : amp
           low = v < 5*mV : boolean"""


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """A group of 5 neurons with synapses and two monitors, run for 5 ms into an HDF5 file."""
    start_scope()
    group = NeuronGroup(5, MODEL, threshold="v > 10*mV", reset="v = 0*mV", refractory=1 * ms, name="cells")
    group.v = "2*i*mV"
    synapses = Synapses(group, group, "dw/dt = -w/(5*ms) : 1 (clock-driven)", on_pre="v_post += w*mV")
    synapses.connect(j="i")
    spikes = SpikeMonitor(group)
    trace = StateMonitor(group, ["v", "I"], record=[0, 3])
    path = tmp_path_factory.mktemp("display") / "run.h5"
    net = Network(group, synapses, spikes, trace, output=str(path))
    before = net._repr_html_()
    net.run(5 * ms)
    return net, group, synapses, spikes, trace, before, path


def test_quantities_typeset_in_latex():
    assert (3 * mV)._repr_latex_() == r"$3.0\,\mathrm{mV}$"
    assert (-70 * mV)._repr_latex_() == r"$-70.0\,\mathrm{mV}$"
    assert (1e-20 * amp)._repr_latex_() == r"$1 \times 10^{-20}\,\mathrm{A}$"
    assert (5 * uF / cm**2)._repr_latex_() == r"$5.0\,\frac{\mathrm{uF}}{\mathrm{cm}^{2}}$"
    assert (np.array([1, 2.5]) * mV)._repr_latex_() == \
        r"$\left[\begin{matrix}1.0 & 2.5\end{matrix}\right]\,\mathrm{mV}$"
    assert (np.array([np.nan, -np.inf]) * mV)._repr_latex_() == \
        r"$\left[\begin{matrix}\mathrm{NaN} & -\infty\end{matrix}\right]\,\mathrm{mV}$"


def test_long_arrays_are_cut_to_their_ends():
    row = (np.arange(20) * mV)._repr_latex_()
    assert row == r"$\left[\begin{matrix}0.0 & 1.0 & 2.0 & \dots & 17.0 & 18.0 & 19.0\end{matrix}\right]\,\mathrm{mV}$"
    square = (np.arange(144.0).reshape(12, 12) * ms)._repr_latex_()
    assert square.count(r" \\ ") == 6 and r"\vdots & \vdots & \vdots & \ddots & \vdots" in square
    assert "143.0" in square and "60.0" not in square
    text = (np.arange(20) * mV)._repr_html_()
    assert text == "<span>[ 0.  1.  2. ... 17. 18. 19.] mV</span>"


def test_quantities_and_units_in_html():
    assert (5 * uF / cm**2)._repr_html_() == "<span>5. uF/cm<sup>2</sup></span>"
    assert (3 * mV)._repr_html_() == "<span>3. mV</span>"
    assert (uF / cm**2)._repr_html_() == "uF/cm<sup>2</sup>"
    assert (np.ones((2, 2)) * mV)._repr_html_() == "<pre>[[1. 1.]\n [1. 1.]] mV</pre>"


def test_equations_in_latex():
    eqs = Equations("""dv/dt = (v0 - v)/tau : volt (unless refractory)
                       I = g*(E - v) : amp
                       g : siemens/metre**2 (constant, shared)
                       b : boolean""")
    body = (r"\begin{aligned}"
            r"\frac{\mathrm{d}v}{\mathrm{d}t} &= \frac{v_{0} - v}{\tau} && \text{unit: }\mathrm{V}"
            r"\ \text{(unless refractory)} \\ "
            r"I &= g \left(E - v\right) && \text{unit: }\mathrm{A} \\ "
            r"g & && \text{unit: }\frac{\mathrm{S}}{\mathrm{m}^{2}}\ \text{(constant, shared)} \\ "
            r"b & && \text{unit: }\text{boolean}"
            r"\end{aligned}")
    assert eqs._repr_latex_() == f"$${body}$$"
    assert sympy.latex(eqs) == body
    assert Equations("")._repr_latex_() is None


def test_expressions_in_latex_keep_units_upright_and_hide_the_call_site_of_draws():
    assert to_latex(parse_expression("0.5*mV*rand()/ms").expr) == \
        r"\frac{0.5 \mathrm{mV} \operatorname{rand}\left(\right)}{\mathrm{ms}}"
    assert to_latex(parse_expression("int(x) + I_ext(t)").expr) == \
        r"\operatorname{I\_ext}\left(t\right) + \operatorname{int}\left(x\right)"


def test_a_group_shows_its_variables_with_units_and_its_method(ran):
    _, group, *_ = ran
    page = group._repr_html_()
    assert "<strong>NeuronGroup</strong> <code>cells</code>" in page
    assert "<td style='text-align:left'>5 neurons</td>" in page
    assert "<tr><td>v</td><td>V</td><td>float64</td><td></td></tr>" in page
    assert "<tr><td>lastspike</td><td>s</td><td>float64</td><td></td></tr>" in page
    assert "<tr><td>N</td><td>1</td><td>int64</td><td>shared, read-only</td></tr>" in page
    assert "<tr><td>I</td><td>A</td><td></td><td>subexpression</td></tr>" in page
    assert "integration</th><td style='text-align:left'>exact (" in page  # chosen by the run
    assert "refractory</th><td style='text-align:left'>1. ms" in page
    # user text escaped: the threshold and the model's '<'
    assert "v &gt; 10*mV" in page and "low = v &lt; 5*mV : boolean" in page
    assert "v < 5" not in page and "v > 10" not in page


def test_the_method_before_a_run():
    start_scope()
    assert "chosen at run" in NeuronGroup(2, "dv/dt = -v/ms : 1")._repr_html_()
    assert "euler (as asked)" in NeuronGroup(2, "dv/dt = -v/ms : 1", method="euler")._repr_html_()
    chosen = NeuronGroup(2, "dv/dt = -v/ms : 1", method=["exact", "euler"])._repr_html_()
    assert "the first of exact, euler that applies (chosen at run)" in chosen
    assert "integration" not in NeuronGroup(2, "x : 1")._repr_html_()


def test_synapses_show_their_groups_pathways_and_method(ran):
    synapses = ran[2]
    page = synapses._repr_html_()
    assert "<strong>Synapses</strong>" in page and "5 synapses" in page and "cells \u2192 cells" in page
    assert "pre (on spike of the presynaptic group)" in page
    assert "integration</th><td style='text-align:left'>exact (" in page
    assert "<tr><td>w</td><td>1</td><td>float64</td><td></td></tr>" in page
    assert "<tr><td>delay</td><td>s</td><td>float64</td><td></td></tr>" in page


def test_monitors_show_their_records_with_units(ran):
    _, _, _, spikes, trace, *_ = ran
    page = trace._repr_html_()
    assert "<strong>StateMonitor</strong>" in page and "source</th><td style='text-align:left'>cells</td>" in page
    assert f"{trace.N} time points \u00d7 2 elements (0, 3)" in page and trace.N == 50
    assert "<tr><td>v</td><td>V</td></tr>" in page and "<tr><td>I</td><td>A</td></tr>" in page
    assert "<tr><td>t</td><td>s</td></tr>" in page and "run.h5" in page
    assert f"{spikes.N} &#x27;spike&#x27; events" in spikes._repr_html_() and spikes.N > 0


def test_a_network_shows_its_objects_and_the_schedule_of_its_last_run(ran):
    net, *_, before, _ = ran
    assert "known after the first run" in before and "Schedule of the last run" not in before
    page = net._repr_html_()
    assert "<strong>Network</strong>" in page and "time</th><td style='text-align:left'>5. ms" in page
    assert "<tr><td>cells</td><td>NeuronGroup</td><td>defaultclock, dt = 0.1 ms</td><td>groups</td><td>0</td>" \
           "<td>yes</td></tr>" in page
    assert "Schedule of the last run" in page and "cells_stateupdater (StateUpdater)" in page
    assert page.index("statemonitor (StateMonitor)") < page.index("cells_spike_resetter (Resetter)")


def test_records_read_from_a_file_show_a_summary(ran):
    path = ran[-1]
    recording = load_output(path)
    page = recording._repr_html_()
    assert "<strong>Recording</strong>" in page and str(path) in page
    assert "<tr><td>statemonitor</td><td>StateMonitor</td><td>I, t, v</td></tr>" in page  # HDF5's order
    stored = recording.statemonitor._repr_html_()
    assert "<strong>StateMonitor (from a file)</strong>" in stored
    assert "<tr><td>v</td><td>V</td><td>50 \u00d7 2</td><td>float64</td></tr>" in stored
    assert "<tr><td>t</td><td>s</td><td>50</td><td>float64</td></tr>" in stored
    assert "record</th><td style='text-align:left'>[0 3]</td>" in stored


def test_text_from_a_file_or_a_name_is_escaped():
    stored = StoredMonitor("m<1>", {"kind": "SpikeMonitor", "source": "<img src=x onerror=alert(1)>",
                                    "model": "x = a < b : boolean"}, {"t": (np.array([0.001]), second)})
    page = stored._repr_html_()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<code>m&lt;1&gt;</code>" in page and "x = a &lt; b : boolean" in page
    assert "<code>a&lt;b.h5</code>" in Recording({"note": "<b>"}, {}, "a<b.h5")._repr_html_()
    page = html_summary("<Kind>", "<name>", [("<label>", "<value>")],
                        [("<title>", html_table(["<h>"], [["<cell>"]]))])
    assert "<name>" not in page and "<cell>" not in page and "&lt;cell&gt;" in page and "&lt;title&gt;" in page
