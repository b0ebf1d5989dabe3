"""The Compose stage's AG2 agents: MusicAnalyst, GenreSpecialist, ChordComposer and
ArrangementDirector in a round-robin discussion, answered by an LLM or by the rules."""
