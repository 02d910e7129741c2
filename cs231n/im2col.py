"""Pure-NumPy im2col / col2im: always importable, the reference for the
compiled versions in ``cs231n/im2col_cython.pyx`` and the fallback of
``cs231n/fast_layers.py`` when the extension is not built.

Column layout (shared with the Cython extension)::

    cols.shape == (C * field_height * field_width, N * out_h * out_w)
    row    r = (c * field_height + i) * field_width + j       # filter tap (c, i, j)
    column q = (n * out_h + oh) * out_w + ow                  # image n, output pixel (oh, ow)
    cols[r, q] = x_padded[n, c, oh * stride + i, ow * stride + j]

so that, with ``w_flat = w.reshape(F, -1)``, the convolution is ``w_flat @ cols``
reshaped to (F, N, out_h, out_w). The columns are image-major (all output pixels
of image 0, then image 1, ...), unlike the original course code, whose columns
put the image index last; image-major keeps each image's block of columns
together and makes the copy loops run along rows of the image.

Two versions of each function, same results:

- ``im2col_indices`` / ``col2im_indices`` (the course's names): fancy indexing
  with index arrays from ``get_im2col_indices``, and ``np.add.at`` to sum
  overlapping windows back. Short and easy to check; slow.
- ``im2col_strided`` / ``col2im_strided``: a strided view of the padded input
  copied once, and one vectorised add per filter tap. Several times faster; the
  NumPy path of ``cs231n/fast_layers.py`` uses these.
"""
import numpy as np

from cs231n._checks import array, integer, output_size, shape

__all__ = ["get_output_shape", "get_im2col_indices", "im2col_indices", "col2im_indices",
           "im2col_strided", "col2im_strided"]


def get_output_shape(H, W, field_height, field_width, padding, stride):
    """(out_h, out_w) for a window sliding over an (H, W) image, or a ValueError
    when the window does not tile the padded image exactly."""
    field_height, field_width = integer("field_height", field_height), integer("field_width", field_width)
    padding, stride = integer("padding", padding, 0), integer("stride", stride)
    return (output_size("im2col (height)", H, field_height, padding, stride),
            output_size("im2col (width)", W, field_width, padding, stride))


def get_im2col_indices(x_shape, field_height, field_width, padding=1, stride=1):
    """Index arrays (k, i, j) such that ``x_padded[:, k, i, j]`` has shape
    (N, C*HH*WW, out_h*out_w): entry [n, r, p] is tap r of output pixel p of image n.

    Returns k: (C*HH*WW, 1), i and j: (C*HH*WW, out_h*out_w).
    """
    N, C, H, W = x_shape
    out_h, out_w = get_output_shape(H, W, field_height, field_width, padding, stride)
    # Tap offsets inside the window, one row per (c, di, dj).
    i0 = np.tile(np.repeat(np.arange(field_height), field_width), C)
    j0 = np.tile(np.arange(field_width), field_height * C)
    # Top-left corner of each window, one column per (oh, ow).
    i1 = stride * np.repeat(np.arange(out_h), out_w)
    j1 = stride * np.tile(np.arange(out_w), out_h)
    i = i0[:, None] + i1[None, :]
    j = j0[:, None] + j1[None, :]
    k = np.repeat(np.arange(C), field_height * field_width)[:, None]
    return k, i, j


def im2col_indices(x, field_height, field_width, padding=1, stride=1):
    """Patches of x as columns (fancy indexing into a zero-padded copy).

    Inputs:
    - x: (N, C, H, W), any float dtype
    Returns cols: (C*HH*WW, N*out_h*out_w), same dtype, layout as in the module doc.
    """
    x = array("x", np.asarray(x), 4)
    N = x.shape[0]
    p = padding
    k, i, j = get_im2col_indices(x.shape, field_height, field_width, padding, stride)
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="constant")
    cols = x_padded[:, k, i, j]                      # (N, C*HH*WW, P)
    R, P = cols.shape[1], cols.shape[2]
    return cols.transpose(1, 0, 2).reshape(R, N * P)


def col2im_indices(cols, x_shape, field_height=3, field_width=3, padding=1, stride=1):
    """Adjoint of im2col_indices: adds every column entry back onto the pixel it
    came from (overlaps add up), then drops the padding.

    Inputs:
    - cols: (C*HH*WW, N*out_h*out_w)
    - x_shape: (N, C, H, W) of the input the columns were taken from
    Returns x: (N, C, H, W) with the dtype of cols.
    """
    N, C, H, W = x_shape
    k, i, j = get_im2col_indices(x_shape, field_height, field_width, padding, stride)
    R, P = i.shape
    cols = shape("cols", np.asarray(cols), (R, N * P), f"col2im of x {tuple(x_shape)}")
    p = padding
    x_padded = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=cols.dtype)
    cols_reshaped = cols.reshape(R, N, P).transpose(1, 0, 2)   # (N, R, P)
    np.add.at(x_padded, (slice(None), k, i, j), cols_reshaped)
    if p == 0:
        return x_padded
    return x_padded[:, :, p:-p, p:-p]


def im2col_strided(x, field_height, field_width, padding=1, stride=1):
    """Same result as :func:`im2col_indices`, built from a strided view of the
    padded input (one copy, no index arrays); the NumPy path of fast_layers.

    Inputs:
    - x: (N, C, H, W)
    Returns cols: (C*HH*WW, N*out_h*out_w).
    """
    x = array("x", np.asarray(x), 4)
    N, C, H, W = x.shape
    out_h, out_w = get_output_shape(H, W, field_height, field_width, padding, stride)
    p = padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="constant") if p else x
    sN, sC, sH, sW = x_padded.strides
    windows = np.lib.stride_tricks.as_strided(
        x_padded, shape=(C, field_height, field_width, N, out_h, out_w),
        strides=(sC, sH, sW, sN, stride * sH, stride * sW), writeable=False)
    return np.ascontiguousarray(windows).reshape(C * field_height * field_width,
                                                 N * out_h * out_w)


def col2im_strided(cols, x_shape, field_height=3, field_width=3, padding=1, stride=1):
    """Same result as :func:`col2im_indices`: one strided, vectorised add per
    filter tap (HH*WW adds) instead of np.add.at.

    Inputs:
    - cols: (C*HH*WW, N*out_h*out_w)
    - x_shape: (N, C, H, W)
    Returns x: (N, C, H, W) with the dtype of cols.
    """
    N, C, H, W = x_shape
    out_h, out_w = get_output_shape(H, W, field_height, field_width, padding, stride)
    cols = shape("cols", np.asarray(cols), (C * field_height * field_width, N * out_h * out_w),
                 f"col2im of x {tuple(x_shape)}")
    p = padding
    x_padded = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=cols.dtype)
    # (C, HH, WW, N, out_h, out_w) -> (HH, WW, N, C, out_h, out_w)
    taps = cols.reshape(C, field_height, field_width, N, out_h, out_w).transpose(1, 2, 3, 0, 4, 5)
    h_stop, w_stop = stride * out_h, stride * out_w
    for i in range(field_height):
        for j in range(field_width):
            x_padded[:, :, i:i + h_stop:stride, j:j + w_stop:stride] += taps[i, j]
    if p == 0:
        return x_padded
    return x_padded[:, :, p:-p, p:-p]
