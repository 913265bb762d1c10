"""Pure analytic models (no numpy, fast to import): the numbers a candidate derives on a whiteboard."""
