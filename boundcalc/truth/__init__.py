"""Ground truth: the exact sampler error and MI profiles of explicit data models."""
