"""Story grouping: online clustering of articles into stories, near-duplicate detection, the topic gate."""
