"""Speed comparisons for the convolution and pooling layers.

Run ``make bench`` (or ``python -m benchmarks.run --help``): tables of
forward/backward times for the naive loops, the NumPy fallback, the compiled
fast path, PyTorch's CPU kernels when PyTorch is installed (optional), and the
matrix-product floor of im2col convolution, with the ratios between them.
"""
