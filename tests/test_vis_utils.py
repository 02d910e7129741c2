"""Picture helpers: grid layout and the figures they draw."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cs231n.vis_utils import (plot_history, show_image_grid, show_weights_as_images,  # noqa: E402
                              visualize_grid)


def test_grid_places_each_image_rescaled_in_its_cell():
    X = np.random.rand(5, 4, 4, 3)
    grid = visualize_grid(X, ubound=1.0, padding=1)
    assert grid.shape == (3 * 4 + 2, 3 * 4 + 2, 3)
    cell = grid[5:9, 0:4]  # second row, first column: image 3
    expected = (X[3] - X[3].min()) / (X[3].max() - X[3].min())
    np.testing.assert_allclose(cell, expected)


def test_grid_rejects_non_batch_input():
    with pytest.raises(ValueError, match="N, H, W, C"):
        visualize_grid(np.zeros((4, 4, 3)))


def test_figures_are_drawn():
    X = np.random.randint(0, 255, (40, 32, 32, 3)).astype(float)
    y = np.repeat(np.arange(4), 10)
    assert len(show_image_grid(X, y, ["a", "b", "c", "d"], samples_per_class=3).axes) == 12
    assert len(show_weights_as_images(np.random.randn(3073, 4), "abcd").axes) == 4
    assert len(plot_history(np.random.rand(50), [0.1, 0.2], [0.1, 0.15], smooth=5).axes) == 2
    with pytest.raises(ValueError, match="do not hold images"):
        show_weights_as_images(np.random.randn(4, 10, 10, 3), "abcd")
