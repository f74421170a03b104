// Seeded streams are part of this module's API (task sampling, snapshots), so importing it brings them along.
@_exported public import Randomness
