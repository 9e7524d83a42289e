"""The runtime state of a Synapses object besides its variables: per pathway a propagation table (CSR: the
synapses of each triggering element, by delay and thread block) and a ring of spikes in flight, per side the
synapses of each element (for summed variables). Built from the synapses' spec when a run needs them, kept
while the synapses, their delays, dt and the thread blocks stay as they are; the rings are stored and restored."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from simcore.backends.select import thread_blocks
from simcore.connect.request import index_type
from simcore.equations.functions import RANDOM_FUNCTIONS
from simcore.errors import ModelError
from simcore.ir import ElementCode, array_arg, internal_arg, part
from simcore.objects.memory import check_fits
from simcore.objects.ordering import block_keys, delay_range, delay_steps, group_by, group_pointers, is_sorted, take
from simcore.runtime.delay_ring import check_ring, grown_ring, resized_ring, restored_ring

if TYPE_CHECKING:
    from simcore.objects.synapse_views import Pathway
    from simcore.objects.synapses import Synapses

# delays are int32 time steps in the propagation tables (and a ring of that many steps): at most this many
MAX_DELAY_STEPS = 2**31 - 2


class SynapseTables:
    """The propagation tables and rings of one Synapses object (its runtime companion: it reads the spec's
    variables, sizes and time step)."""

    def __init__(self, synapses: Synapses, pathways: Sequence[Pathway], delay_versions: Mapping[str, int]):
        """``pathways``: the synapses' pathways; ``delay_versions``: per delay variable that has a value per
        synapse, a number the spec increases whenever it writes those delays (a live mapping: the tables sorted
        by delay are rebuilt when it changed)."""
        self._synapses = synapses
        self._pathways = tuple(pathways)
        self._delay_versions = delay_versions
        self._csr: dict[str, dict] = {}
        self._by: dict[str, dict] = {}
        self._rings: dict[str, dict[str, np.ndarray]] = {}

    def forget(self) -> None:
        """Drop the tables (the synapses changed); the rings of spikes in flight stay."""
        self._csr.clear()
        self._by.clear()

    def _size(self, index: str) -> int:
        synapses = self._synapses
        return (synapses.source if index == "i" else synapses.target).N

    def by_element(self, side: str) -> dict:
        """The synapses of each target (side 'post') or source ('pre') element, in increasing order."""
        if side not in self._by:
            index = "j" if side == "post" else "i"
            count = self._synapses.N
            order, ptr = group_by([(self._synapses.variables[index].array, self._size(index))], count,
                                  index_type(count))
            self._by[side] = {"ptr": ptr, "syn": order}
        return self._by[side]

    def pathway(self, pathway: Pathway, code: ElementCode) -> dict:
        """The table of a pathway whose per-synapse code is ``code``: its CPU thread blocks (``"blocks"``), its
        delay mode, slots and steps, and its arrays. Code that needs no synapse number, only its target, gets a
        table of targets (``"targets"``): one random memory access less per synaptic event."""
        owner = self._synapses.name
        other = array_arg(owner, pathway.reached_index)
        blocks = thread_blocks(writes_without_races(code, owner, other), self._synapses.N, self._synapses.dt_)
        return self._table(pathway, blocks, reads_only_targets(code, owner, other))

    def _table(self, pathway: Pathway, blocks: int, targets_only: bool) -> dict:
        """Synapses grouped by target block, then by the element that triggers the pathway, then (when
        delays differ) by delay; recomputed only when the synapses, their delays or the blocks changed.
        With ``targets_only`` the table holds the synapses' targets instead of their numbers ("syn" stays
        empty)."""
        synapses = self._synapses
        count, dt = synapses.N, synapses.dt_
        variable = synapses.variables[pathway.delay_variable]
        cached = self._csr.get(pathway.name)
        fingerprint = (blocks, targets_only, count, dt, self._delay_versions.get(pathway.delay_variable),
                       float(variable.array[0]) if variable.shared else None)
        if cached is not None and cached["fingerprint"] == fingerprint:
            return cached
        shortest, maximum = self._delay_range(pathway)
        heterogeneous = not variable.shared and shortest != maximum
        sources = synapses.variables[pathway.trigger_index].array
        targets = synapses.variables[pathway.reached_index].array
        size = self._size(pathway.trigger_index)
        grouped = block_keys(sources, targets, size, blocks, self._size(pathway.reached_index)) \
            if blocks > 1 else sources
        steps = delay_steps(variable.array, dt) if heterogeneous else None
        keys = [(steps, maximum + 1)] if heterogeneous else []
        keys.append((grouped, blocks * size))
        empty = np.zeros(0, dtype=np.int32)
        csr = {"fingerprint": fingerprint, "blocks": blocks, "syn": empty, "dsorted": empty, "slots": maximum + 1,
               "steps": maximum,
               "mode": "heterogeneous" if heterogeneous else ("homogeneous" if maximum > 0 else "none")}
        if len(keys) == 1 and is_sorted(grouped):  # already grouped by source: no indirection
            csr.update(ptr=group_pointers(grouped, blocks * size), indirect=False)
        elif targets_only and not heterogeneous:  # one pass places the targets
            csr["targets"], csr["ptr"] = group_by(keys, count, index_type(count), values=targets)
            csr["indirect"] = False
        else:  # stable: the synapses of one group stay in increasing order
            order, csr["ptr"] = group_by(keys, count, index_type(count))
            csr["indirect"] = not targets_only
            if targets_only:
                csr["targets"] = take(targets, order)
            else:
                csr["syn"] = order
            if heterogeneous:
                csr["dsorted"] = take(steps, order)
        self._csr[pathway.name] = csr
        self._resize_ring(pathway, csr)
        return csr

    def _delay_range(self, pathway: Pathway) -> tuple[int, int]:
        """The shortest and longest delay in time steps, rounded; a warning names the synapses whose delay
        is not a multiple of dt."""
        synapses = self._synapses
        dt, variable = synapses.dt_, synapses.variables[pathway.delay_variable]
        delays, pre, post = variable.array, synapses.variables["i"].array, synapses.variables["j"].array
        if delays.size and not 0 <= delays.min() <= delays.max() < MAX_DELAY_STEPS * dt:  # NaN too
            bad = np.flatnonzero(~((delays >= 0) & (delays < MAX_DELAY_STEPS * dt)))
            which = "the delay" if variable.shared else \
                f"the delay of synapse {bad[0]} (i={pre[bad[0]]}, j={post[bad[0]]})"
            value = delays[bad[0]]
            problem = "a negative delay" if value < 0 else "too long a delay" if value > 0 else "not a number"
            raise ModelError(f"{which} of the '{pathway.name}' pathway of {synapses.where()} is {value * 1e3:g} ms, "
                             f"{problem}: delays must be finite, >= 0 and below {MAX_DELAY_STEPS} time steps "
                             f"({MAX_DELAY_STEPS * dt:g} s with dt = {dt * 1e3:g} ms)")
        shortest, longest, off, first = delay_range(delays, dt)
        if off:
            which = "the delay" if variable.shared else \
                f"the delays of {off} synapse(s) (e.g. synapse {first}: i={pre[first]}, j={post[first]})"
            warnings.warn(f"{which} of the '{pathway.name}' pathway of {synapses.where()}: not a multiple of dt = "
                          f"{dt * 1e3:g} ms ({delays[first] * 1e3:g} ms): rounded to "
                          f"{int(np.rint(delays[first] / dt))} time steps", stacklevel=6)
        return shortest, longest

    def _resize_ring(self, pathway: Pathway, csr: dict) -> None:
        """The ring of past events (``slots`` steps of dt), remade when the slot count or dt changed, with the
        events in flight kept (``resized_ring``). Without delays there is no ring (and no event stays in
        flight)."""
        if csr["mode"] == "none":
            self._rings.pop(pathway.name, None)
            return
        synapses = self._synapses
        old, slots, dt = self._rings.get(pathway.name), csr["slots"], synapses.dt_
        if old is not None and len(old["start"]) == slots and old["dt"][0] == dt:
            return
        delays: set[int] = set()
        if old is not None:
            delays = {csr["steps"]} if csr["mode"] == "homogeneous" else \
                set(np.unique(delay_steps(synapses.variables[pathway.delay_variable].array, dt)).tolist())
        check_fits(16 * slots, f"the spikes in flight of the '{pathway.name}' pathway of {synapses.where()} (a ring "
                   f"of {slots} time steps, its longest delay)")
        self._rings[pathway.name] = resized_ring(old, slots, dt, synapses.network_time, delays,
                                                 self._size(pathway.trigger_index))

    def grow(self) -> None:
        """Double a ring of past events that might not hold the next step's (it keeps its contents)."""
        triggers = {pathway.name: pathway.trigger_index for pathway in self._pathways}
        for name, ring in list(self._rings.items()):
            self._rings[name] = grown_ring(ring, self._size(triggers[name]))

    def kernel_arrays(self) -> dict[str, np.ndarray]:
        """The tables' and rings' arrays under their kernel names."""
        owner, arrays = self._synapses.name, {}
        for pathway in self._pathways:
            csr = self._csr.get(pathway.name)
            if csr is None:
                continue
            prefix = f"_{internal_arg(owner, 'pathway', part(pathway.name))}"
            arrays.update({f"{prefix}_ptr": csr["ptr"], f"{prefix}_syn": csr["syn"],
                           f"{prefix}_dsorted": csr["dsorted"]})
            if "targets" in csr:
                arrays[f"{prefix}_targets"] = csr["targets"]
            for key, array in self._rings.get(pathway.name, {}).items():
                if key != "dt":  # the host's: the dt the steps of the ring are of
                    arrays[f"{prefix}_hist{'' if key == 'ring' else '_' + key}"] = array
        for side, csr in self._by.items():
            prefix = f"_{internal_arg(owner, 'by', side)}"
            arrays.update({f"{prefix}_ptr": csr["ptr"], f"{prefix}_syn": csr["syn"]})
        return arrays

    def stored_rings(self) -> dict[str, dict[str, np.ndarray]]:
        """Copies of the rings of spikes in flight, by pathway (the 'history' of a snapshot)."""
        return {name: {key: array.copy() for key, array in ring.items()} for name, ring in self._rings.items()}

    def check_rings(self, history: Any) -> None:
        """Refuse stored rings (data read from a file) that are not a group of some of the pathways' rings, each
        consistent (``check_ring``)."""
        pathways = {pathway.name: pathway for pathway in self._pathways}
        if not isinstance(history, dict) or set(history) - set(pathways):
            found = sorted(history) if isinstance(history, dict) else history
            raise ModelError(f"the spikes in flight ('history') should be a group of some of the pathways "
                             f"{sorted(pathways)}, the stored one has {found}")
        for name, ring in history.items():
            check_ring(ring, self._size(pathways[name].trigger_index), f"the spikes in flight of the pathway '{name}'")

    def restore(self, history: dict) -> None:
        """Take stored rings that ``check_rings`` accepted; the tables are rebuilt at the next run."""
        self._rings = {name: restored_ring(ring) for name, ring in history.items()}
        self.forget()


def writes_without_races(code: ElementCode, owner: str, other_side: str) -> bool:
    """Whether pathway code writes only its synapse's variables and its own reached element's (through
    ``other_side``): then blocks of targets can run in parallel without races."""
    return all(ref.local_name not in code.written or ref.owner == owner and not ref.shared or ref.index == other_side
               for ref in code.arrays)


def reads_only_targets(code: ElementCode, owner: str, target_index: str) -> bool:
    """Whether pathway code uses no synaptic variable and no random number: only its targets' variables."""
    if any(type(f).__name__ in RANDOM_FUNCTIONS for s in code.statements for f in s.expr.atoms(sympy.Function)):
        return False
    return all(ref.shared or (ref.owner != owner and ref.index == target_index) for ref in code.arrays)
