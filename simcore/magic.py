"""The magic network: what ``run()``, ``store()`` and ``restore()`` simulate without an explicit Network
(Brian 2's API): the objects created since the last start_scope() that are still referenced."""

from __future__ import annotations

import os

from simcore.errors import ModelError, ModelValueError
from simcore.namespace import caller_namespace
from simcore.network import Network
from simcore.objects.base import SimObject, collect, scope_instances
from simcore.output.hdf5 import Output
from simcore.plan import Plan
from simcore.plan.summary import ProfilingSummary, SchedulingSummary
from simcore.units import second


class MagicError(ModelError):
    """The magic network (what ``run()`` simulates) was used as an explicit Network."""


class MagicNetwork(Network):
    """The network of ``run()``, ``store()`` and ``restore()``: at each call, the objects created since the last
    start_scope() that are still referenced (``collect()``). It holds them only during the call, so objects a
    script dropped are not kept alive by it; time continues from the objects' own time."""

    def __init__(self):
        if _magic:
            raise ModelValueError("there is one magic network, simcore's magic_network; create a Network instead")
        super().__init__(name="magic_network")
        self._depth = 0
        _magic.append(self)

    def add(self, *objects) -> None:
        if objects:
            raise MagicError("the magic network holds the objects run() finds by itself; to choose the objects, "
                             "create a Network(...) and add them to it")

    def remove(self, *objects) -> None:
        raise MagicError("the magic network holds the objects run() finds by itself; to choose the objects, "
                         "create a Network(...) of them")

    def _gather(self) -> list[SimObject]:
        objects = scope_instances()
        if objects:  # they continue from their own time (all new ones: from 0)
            self.t_ = max(obj.network_time for obj in objects)
        self.objects = objects
        return objects

    def _with_objects(self, method, *args, **kwargs):
        if self._depth == 0:
            self._gather()
        self._depth += 1  # a call within (a device storing the state before a run) keeps them
        try:
            return method(*args, **kwargs)
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.objects = []  # held during the call only: dropping an object frees it

    def run(self, duration, report: str | None = None, report_period=10 * second, namespace: dict | None = None,
            profile: bool = False, output: str | Output | None = None, checkpoint: str | os.PathLike | None = None,
            checkpoint_every=None) -> None:
        if namespace is None:
            namespace = caller_namespace()
        self._with_objects(super().run, duration, report=report, report_period=report_period, namespace=namespace,
                           profile=profile, output=output, checkpoint=checkpoint, checkpoint_every=checkpoint_every)

    def store(self, name: str = "default", filename: str | os.PathLike | None = None) -> None:
        self._with_objects(super().store, name, filename)

    def restore(self, name: str = "default", filename: str | os.PathLike | None = None,
                restore_random_state: bool = False) -> None:
        self._with_objects(super().restore, name, filename, restore_random_state)

    def get_states(self, units: bool = True, format: str = "dict", subexpressions: bool = False,
                   read_only_variables: bool = True) -> dict[str, dict]:
        return self._with_objects(super().get_states, units, format, subexpressions, read_only_variables)

    def set_states(self, values: dict[str, dict], units: bool = True, format: str = "dict") -> None:
        self._with_objects(super().set_states, values, units, format)

    def scheduling_summary(self) -> SchedulingSummary:
        return self._with_objects(super().scheduling_summary)

    def plan(self, namespace: dict | None = None) -> Plan:
        return self._with_objects(super().plan, caller_namespace() if namespace is None else namespace)

    def __getitem__(self, name: str) -> SimObject:
        return self._with_objects(super().__getitem__, name)

    def __contains__(self, item) -> bool:
        return self._with_objects(super().__contains__, item)

    def __len__(self) -> int:
        return len(collect())

    def __iter__(self):
        return iter(collect())


_magic: list[MagicNetwork] = []
magic_network = MagicNetwork()


def profiling_summary(net: Network | None = None, show: int | None = None) -> ProfilingSummary:
    """The profile of ``net`` (default: the magic network, what ``run()`` ran), the ``show`` longest only."""
    return (net if net is not None else magic_network).profiling_summary(show)


def scheduling_summary(net: Network | None = None) -> SchedulingSummary:
    """The schedule of ``net`` (default: of what ``run()`` would simulate)."""
    return (net if net is not None else magic_network).scheduling_summary()


def store(name: str = "default", filename: str | os.PathLike | None = None) -> None:
    """``Network.store`` for the objects ``run()`` would simulate (Brian 2's ``store()``)."""
    magic_network.store(name, filename)


def restore(name: str = "default", filename: str | os.PathLike | None = None,
            restore_random_state: bool = False) -> None:
    """``Network.restore`` for the objects ``run()`` would simulate (Brian 2's ``restore()``)."""
    magic_network.restore(name, filename, restore_random_state)


def run(duration, report: str | None = None, report_period=10 * second, namespace: dict | None = None,
        profile: bool = False, output: str | Output | None = None, checkpoint: str | os.PathLike | None = None,
        checkpoint_every=None) -> None:
    """Run every object created since the last start_scope() that is still referenced (``collect()``)."""
    magic_network.run(duration, report=report, report_period=report_period,
                      namespace=caller_namespace() if namespace is None else namespace, profile=profile,
                      output=output, checkpoint=checkpoint, checkpoint_every=checkpoint_every)
