"""The counting sort behind the propagation tables equals numpy's lexsort."""

import numpy as np

from simcore.objects.ordering import group_by


def test_group_by_equals_lexsort():
    rng = np.random.default_rng(4)
    n = 10_000
    delays = rng.integers(0, 7, n)
    sources = rng.integers(0, 300, n).astype(np.int32)
    blocks = rng.integers(0, 2, n)
    keys = [(delays, 7), (sources, 300), (blocks, 2)]
    expected = np.lexsort((delays, sources, blocks))
    for dtype in (np.int32, np.int64):
        for used in (keys, keys[-1:]):
            order, pointers = group_by(used, n, dtype)
            assert order.dtype == dtype
            np.testing.assert_array_equal(order, np.lexsort([key for key, _ in used]))
            np.testing.assert_array_equal(pointers, np.concatenate([[0], np.cumsum(np.bincount(blocks, minlength=2))]))
        # the values in that order, in the same pass
        targets = rng.integers(0, 50, n).astype(np.int32)
        placed, _ = group_by(keys, n, dtype, values=targets)
        assert placed.dtype == np.int32
        np.testing.assert_array_equal(placed, targets[expected])


def test_delay_steps_and_group_pointers():
    from simcore.objects.ordering import block_keys, delay_range, delay_steps, group_pointers, is_sorted, take

    delays = np.array([1e-3, 0.0, 1.26e-3, 2e-3, 0.33e-3])
    assert delay_steps(delays, 1e-4).tolist() == [10, 0, 13, 20, 3]
    assert delay_range(delays, 1e-4) == (0, 20, 2, 2)
    assert delay_range(np.zeros(0), 1e-4) == (0, 0, 0, -1)
    key = np.array([2, 0, 2, 1], dtype=np.int32)
    np.testing.assert_array_equal(group_pointers(key, 3), [0, 1, 2, 4])
    # targets 7, 1, 2, 9 of 10 in 2 blocks (0-4, 5-9): blocks 1, 0, 0, 1
    keys = block_keys(key, np.array([7, 1, 2, 9], dtype=np.int32), 3, 2, 10)
    assert keys.tolist() == [5, 0, 2, 4]
    np.testing.assert_array_equal(group_pointers(keys, 6), [0, 1, 1, 2, 2, 3, 4])
    assert take(np.array([5, 6, 7], dtype=np.int32), np.array([2, 0, 2], dtype=np.int32)).tolist() == [7, 5, 7]
    assert is_sorted(np.array([0, 0, 3], dtype=np.int32)) and not is_sorted(np.array([1, 0], dtype=np.int32))
