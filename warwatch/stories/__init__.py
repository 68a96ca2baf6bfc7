"""Story grouping: online clustering of articles into stories, near-duplicate detection."""

from warwatch.stories.grouping import (
    Decision,
    GroupingParams,
    Item,
    StoryGrouper,
    duplicate_score,
    is_near_duplicate,
    normalize_text,
)

__all__ = [
    "Decision",
    "GroupingParams",
    "Item",
    "StoryGrouper",
    "duplicate_score",
    "is_near_duplicate",
    "normalize_text",
]
