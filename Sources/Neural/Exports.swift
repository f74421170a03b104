// Seeded streams are part of Neural's API (initialisers take them), so importing Neural brings them along.
@_exported public import Randomness
