"""Model code: the TensorFlow image backbone and its converter."""
