"""The ranking score: the lower bound of the 95% Wilson interval of the share of upvotes.

A resource with 3 up and 0 down ranks below one with 30 up and 2 down: few votes say little.
"""

from __future__ import annotations

import math

Z = 1.959963984540054  # the 97.5th percentile of the standard normal: a 95% interval


def wilson_lower_bound(upvotes: int, downvotes: int) -> float:
    n = upvotes + downvotes
    if n == 0:
        return 0.0
    p = upvotes / n
    z2 = Z * Z
    centre = p + z2 / (2 * n)
    margin = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, min(1.0, (centre - margin) / (1 + z2 / n)))
