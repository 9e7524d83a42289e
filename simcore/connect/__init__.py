"""``Synapses.connect()``: what a call asks for (``request``), and the synapses it makes (``pairs``), by the
current device's generated kernel or from given index arrays."""
