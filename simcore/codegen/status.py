"""Why a chunk of steps ended: what generated code returns (CPU) or stores into ``_ctl[1]`` (cuda)."""

STATUS_DONE, STATUS_BUFFER_FULL, STATUS_NOT_FINITE = 0, 1, 2
