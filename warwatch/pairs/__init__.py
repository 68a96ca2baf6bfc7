"""The offline sentence-pair tool (`warwatch pairs`): duplicate and contradiction scores for pairs of sentences."""
