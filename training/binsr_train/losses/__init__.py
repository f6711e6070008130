"""Training losses: pixel losses (L1, L2, Charbonnier)."""
