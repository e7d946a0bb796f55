"""The numbers: the TensorFlow tape, finite differences and the three-way check."""
