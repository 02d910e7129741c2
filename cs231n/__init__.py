"""cs231n: the support package of the cs231n-notebooks course.

Layers, losses, classifiers, optimizers and the Solver that the notebooks build
up step by step; CIFAR-10 loading with an offline stand-in; a Cython im2col
extension for fast convolution; and the course-staff tools (``cs231n`` command).
"""

__version__ = "0.1.0"
