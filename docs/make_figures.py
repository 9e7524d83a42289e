"""Writes the README's pictures into docs/images/ with simcore.plotting's brian_plot.

A small CUBA network (examples/cuba.py at a quarter of its size: 1000 neurons, connection probability 0.08 so that
each neuron gets as many inputs as in the 4000-neuron original, 300 ms; excitatory weights drawn between 0.5 and
1.5 times the original's, so that the connectivity figure has something to colour): its raster, three voltage
traces, the population rate and the excitatory connections coloured by weight. Then the thalamocortical-like cell
of examples/data, coloured by path distance from the soma.

Run:  python docs/make_figures.py   (about half a minute, most of it compiling the network the first time)
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

from simcore import (  # noqa: E402
    Morphology,
    NeuronGroup,
    PopulationRateMonitor,
    Quantity,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    metre,
    ms,
    run,
    seed,
    start_scope,
)
from simcore.morphology import flatten  # noqa: E402
from simcore.plotting import brian_plot  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
SWC_FILE = ROOT / "examples" / "data" / "tc_like.CNG.swc"
SIZE = (6, 3.5)
DPI = 90


def cuba(duration=300 * ms):
    """The small CUBA network run for ``duration``; its monitors and excitatory synapses."""
    start_scope()
    seed(1)
    eqs = """
    dv/dt = (ge+gi-(v+49*mV))/(20*ms) : volt
    dge/dt = -ge/(5*ms) : volt
    dgi/dt = -gi/(10*ms) : volt
    """
    P = NeuronGroup(1000, eqs, threshold="v>-50*mV", reset="v=-60*mV", method="exact")
    P.v = "-60*mV + rand()*10*mV"
    Ce = Synapses(P[:800], P, "w : volt", on_pre="ge += w")
    Ce.connect(p=0.08)
    Ce.w = "1.62*mV*(0.5 + rand())"
    Ci = Synapses(P[800:], P, on_pre="gi -= 9*mV")
    Ci.connect(p=0.08)
    spikes, rate = SpikeMonitor(P), PopulationRateMonitor(P)
    state = StateMonitor(P, "v", record=[0, 1, 2])
    run(duration)
    return spikes, state, rate, Ce


def save(name: str, draw, size=SIZE) -> None:
    """One figure, drawn by ``draw(axes)``, written to docs/images/<name>.png."""
    figure, axes = plt.subplots(figsize=size, layout="constrained")
    draw(axes)
    path = IMAGES / f"{name}.png"
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1024:.0f} KB")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    spikes, state, rate, synapses = cuba()
    save("cuba_raster", lambda ax: brian_plot(spikes, axes=ax).set_title(f"{spikes.num_spikes} spikes"))
    save("cuba_state", lambda ax: brian_plot(state, axes=ax).legend(["neuron 0", "neuron 1", "neuron 2"],
                                                                    loc="upper right", fontsize="small"))
    save("cuba_rate", lambda ax: brian_plot(rate, axes=ax))
    save("cuba_synapses", lambda ax: brian_plot(synapses, var="w", axes=ax), size=(5, 4))
    morpho = Morphology.from_file(str(SWC_FILE))
    distance = Quantity(flatten(morpho).distance, metre)  # per compartment, from the root's midpoint
    save("morphology", lambda ax: brian_plot(morpho, values=distance, value_name="distance",
                                             value_colormap="viridis", axes=ax,
                                             plot_3d=False), size=(5, 5))


if __name__ == "__main__":
    main()
