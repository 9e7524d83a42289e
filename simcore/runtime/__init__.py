"""Runtime state of the user's objects: what a run builds from their specs and keeps between runs (the
propagation tables of synapses, the rings of spikes in flight), apart from the objects that describe the model."""
