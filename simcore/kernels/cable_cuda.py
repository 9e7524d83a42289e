"""``simcore.kernels.cable.cable_step`` compiled for numba.cuda (imported only where the GPU is used): ``step``,
the device function, and ``step_neurons``, a kernel with the arguments of ``cable.cable_step_neurons`` that runs
one neuron per thread (grid-stride). Its scratch is node-major (``a[node*neurons + neuron]``), so that
neighbouring threads touch neighbouring values."""

from numba import cuda

from simcore.kernels.cable import cable_step

step = cuda.jit(device=True)(cable_step)


@cuda.jit
def step_neurons(neurons, compartments, parent, conductance, compartment, v, Cm, gtot, I0, Ipoint, area, dt, a, b):
    for neuron in range(cuda.grid(1), neurons, cuda.gridsize(1)):
        step(neuron * compartments, 1, compartments, parent, conductance, compartment, v, Cm, gtot, I0, Ipoint, area,
             dt, a, b, neuron, neurons)
