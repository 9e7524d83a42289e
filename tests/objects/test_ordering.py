"""The counting sort behind the propagation tables equals numpy's lexsort."""

import numpy as np

from simcore.objects.ordering import stable_order


def test_stable_order_equals_lexsort():
    rng = np.random.default_rng(4)
    n = 10_000
    delays = rng.integers(0, 7, n)
    sources = rng.integers(0, 300, n).astype(np.int32)
    blocks = rng.integers(0, 2, n)
    keys = [(delays, 7), (sources, 300), (blocks, 2)]
    for dtype in (np.int32, np.int64):
        order = stable_order(keys, n, dtype)
        assert order.dtype == dtype
        np.testing.assert_array_equal(order, np.lexsort((delays, sources, blocks)))
    assert stable_order([], 3, np.int32).tolist() == [0, 1, 2]
