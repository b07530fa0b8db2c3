"""The ranking score of a resource, stored in Resource.score and ordered on ("Best first").

The score is the evidence that readers like a resource minus the evidence that they dislike
it, each measured as the lower bound of the 95% Wilson interval of that share of the votes:

- no votes, or as many up as down: 0, neither liked nor disliked;
- more up than down: above 0, higher with more votes (3 up and 0 down ranks below 30 up and
  2 down: few votes say little);
- more down than up: below 0, lower with more votes, so an unvoted resource ranks above one
  with a single downvote.

The score lies in [-1, 1]; the database holds the same bounds as a check constraint.
"""

from __future__ import annotations

import math

Z = 1.959963984540054  # the 97.5th percentile of the standard normal: a 95% interval


def share_lower_bound(hits: int, misses: int) -> float:
    """The lower bound of the Wilson interval of hits / (hits + misses); 0 with no trials."""
    n = hits + misses
    if n == 0:
        return 0.0
    p = hits / n
    z2 = Z * Z
    centre = p + z2 / (2 * n)
    margin = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, min(1.0, (centre - margin) / (1 + z2 / n)))


def resource_score(upvotes: int, downvotes: int) -> float:
    """The stored ranking score: liked minus disliked, in [-1, 1]; 0 for no votes."""
    return share_lower_bound(upvotes, downvotes) - share_lower_bound(downvotes, upvotes)


# The name the vote and merge services import for the stored score; new code calls
# resource_score.
wilson_lower_bound = resource_score
