"""Which state updates run in one pass with their group's threshold, on both devices: the update's element,
then the threshold's condition on the values just stored, one loop over the group's memory instead of two (on
the CPU the threshold no longer reads the state again, and its per-element test is part of a loop that
vectorises; on the GPU one launch or grid barrier less per step)."""

from __future__ import annotations

from simcore.ir import Operation, RegularDetails, StateUpdateDetails, ThresholdDetails


def fusions(operations: list[Operation], pauses: frozenset[int] = frozenset()) -> dict[int, int]:
    """{state update's number: its threshold's number} for the updates that move down to their group's
    threshold. The operations between them must use none of the update's arrays, and no Python code may run
    between them (``pauses``: the places, as numbers of the operation they run before, where network
    operations stop a step)."""
    fused = {}
    for number, op in enumerate(operations):
        if not isinstance(op.details, ThresholdDetails):
            continue
        for earlier in range(number - 1, -1, -1):
            update = operations[earlier]
            if isinstance(update.details, StateUpdateDetails) and update.owner == op.owner:
                if ((update.code.start, update.code.size, update.ticks) == (0, op.code.size, op.ticks)
                        and not any(earlier < pause <= number for pause in pauses)
                        and all(_independent(between, update) for between in operations[earlier + 1:number])):
                    fused[earlier] = number
                break
    return fused


def _independent(op: Operation, update: Operation) -> bool:
    """Whether per-element ``op`` may run before ``update`` instead of after it: neither writes an array the
    other uses."""
    def used(operation: Operation) -> set[str]:
        return {ref.arg for ref in operation.code.arrays} | {ref.index for ref in operation.code.arrays if ref.index}

    def written(operation: Operation) -> set[str]:
        names = set(operation.code.written)
        if isinstance(operation.details, ThresholdDetails) and operation.details.refractory:
            names |= {"lastspike", "not_refractory"}  # what ``on_spike`` stores
        return {ref.arg for ref in operation.code.arrays if ref.local_name in names}

    return (isinstance(op.details, StateUpdateDetails | RegularDetails | ThresholdDetails)
            and not written(op) & used(update)
            and not used(op) & written(update))
