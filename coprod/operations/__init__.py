"""The writes that must be atomic, each in one place: content, codes, ballots, phases, counts."""
