"""Pictures for the notebooks: image grids, weights as images, training curves."""
import numpy as np

__all__ = ["visualize_grid", "vis_grid", "vis_nn", "show_image_grid", "show_weights_as_images", "plot_history"]


def visualize_grid(Xs, ubound=255.0, padding=1):
    """Tile a batch of images into one image, each rescaled to [0, ubound].

    Inputs:
    - Xs: array of shape (N, H, W, C)
    - ubound: the rescaled images span [0, ubound]
    - padding: pixels of blank space between images

    Returns an array of shape (G*H + (G-1)*padding, G*W + (G-1)*padding, C),
    with G = ceil(sqrt(N)).
    """
    Xs = np.asarray(Xs)
    if Xs.ndim != 4:
        raise ValueError(f"visualize_grid expects (N, H, W, C), got shape {Xs.shape}")
    N, H, W, C = Xs.shape
    grid_size = int(np.ceil(np.sqrt(N)))
    grid = np.zeros((grid_size * (H + padding) - padding, grid_size * (W + padding) - padding, C))
    for i in range(N):
        row, col = divmod(i, grid_size)
        img = Xs[i].astype(np.float64)
        low, high = img.min(), img.max()
        y0, x0 = row * (H + padding), col * (W + padding)
        grid[y0:y0 + H, x0:x0 + W] = ubound * (img - low) / max(high - low, 1e-12)
    return grid


def vis_grid(Xs):
    """Tile a batch of images into a square grid, one pixel apart, scaled as a whole to [0, 1].

    Unlike visualize_grid, the images keep their relative brightness: one
    minimum and one maximum over the whole grid (the gaps count as 1 before scaling).

    Inputs:
    - Xs: array of shape (N, H, W, C)

    Returns a float64 array of shape (G*H + G, G*W + G, C), with G = ceil(sqrt(N)).
    """
    Xs = np.asarray(Xs)
    if Xs.ndim != 4 or len(Xs) == 0:
        raise ValueError(f"vis_grid expects a non-empty (N, H, W, C) array, got shape {Xs.shape}")
    N, H, W, C = Xs.shape
    G = int(np.ceil(np.sqrt(N)))
    grid = np.ones((G * (H + 1), G * (W + 1), C), dtype=np.float64)
    for i in range(N):
        row, col = divmod(i, G)
        grid[row * (H + 1):row * (H + 1) + H, col * (W + 1):col * (W + 1) + W] = Xs[i]
    return (grid - grid.min()) / max(grid.max() - grid.min(), 1e-12)


def vis_nn(rows):
    """Tile a 2-D list of images (all the same shape (H, W, C)) into one image, rows as given."""
    H, W, C = np.asarray(rows[0][0]).shape
    Xs = rows[0][0]
    G, cols = len(rows), len(rows[0])
    grid = np.ones((G * H + G, cols * W + cols, C), Xs.dtype)
    for y in range(G):
        for x in range(cols):
            grid[y * H + y:(y + 1) * H + y, x * W + x:(x + 1) * W + x, :] = rows[y][x]
    grid = grid.astype(np.float64)
    return (grid - grid.min()) / max(grid.max() - grid.min(), 1e-12)


def show_image_grid(X, y, class_names, samples_per_class=7, seed=0, ax_size=1.0):
    """Plot a few random examples of every class: one column per class.

    Inputs:
    - X: images of shape (N, 32, 32, 3), values in [0, 255]
    - y: labels of shape (N,)
    - class_names: sequence of C names, indexed by label
    - samples_per_class: rows of the grid
    - seed: seeds which examples are shown

    Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    num_classes = len(class_names)
    fig, axes = plt.subplots(samples_per_class, num_classes,
                             figsize=(ax_size * num_classes, ax_size * samples_per_class))
    axes = np.atleast_2d(axes)
    for c, name in enumerate(class_names):
        idxs = np.flatnonzero(np.asarray(y) == c)
        chosen = rng.choice(idxs, min(samples_per_class, len(idxs)), replace=False)
        for row in range(samples_per_class):
            ax = axes[row, c]
            ax.axis("off")
            if row < len(chosen):
                ax.imshow(np.clip(X[chosen[row]], 0, 255).astype("uint8"))
        axes[0, c].set_title(name, fontsize=8)
    fig.tight_layout()
    return fig


def show_weights_as_images(W, class_names, image_shape=(32, 32, 3)):
    """Show each column of a linear classifier's weights as a picture (its class template).

    Inputs:
    - W: array of shape (D, C) with D = prod(image_shape) (+1 if a bias row was appended),
      or of shape (C,) + image_shape
    - class_names: sequence of C names
    - image_shape: (H, W, channels) of one template

    Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    W = np.asarray(W)
    D = int(np.prod(image_shape))
    if W.ndim == 2:
        W = W[:D, :].T.reshape((W.shape[1],) + tuple(image_shape))
    if W.shape[1:] != tuple(image_shape):
        raise ValueError(f"weights of shape {W.shape} do not hold images of shape {image_shape}")
    fig, axes = plt.subplots(1, len(W), figsize=(1.2 * len(W), 1.6))
    low, high = W.min(), W.max()
    for ax, template, name in zip(np.atleast_1d(axes), W, class_names):
        ax.imshow((255.0 * (template - low) / max(high - low, 1e-12)).astype("uint8"))
        ax.set_title(name, fontsize=8)
        ax.axis("off")
    return fig


def plot_history(loss_history, train_acc_history=None, val_acc_history=None, title=None, smooth=0):
    """Plot a loss curve and, when given, train/validation accuracy per epoch.

    Inputs:
    - loss_history: sequence of losses, one per iteration
    - train_acc_history, val_acc_history: sequences of accuracies, one per epoch
    - title: optional figure title
    - smooth: if > 1, also draw a moving average of the loss over this many iterations

    Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    has_acc = train_acc_history is not None or val_acc_history is not None
    fig, axes = plt.subplots(1, 2 if has_acc else 1, figsize=(11 if has_acc else 6, 3.5))
    axes = np.atleast_1d(axes)
    loss = np.asarray(loss_history, dtype=np.float64)
    axes[0].plot(loss, ".", markersize=2, alpha=0.5, label="loss per iteration")
    if smooth and smooth > 1 and len(loss) >= smooth:
        kernel = np.ones(smooth) / smooth
        axes[0].plot(np.arange(smooth - 1, len(loss)), np.convolve(loss, kernel, mode="valid"),
                     label=f"moving average ({smooth})")
    axes[0].set_xlabel("iteration")
    axes[0].set_ylabel("loss")
    axes[0].legend()
    if has_acc:
        if train_acc_history is not None:
            axes[1].plot(train_acc_history, "o-", label="train")
        if val_acc_history is not None:
            axes[1].plot(val_acc_history, "o-", label="validation")
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("accuracy")
        axes[1].legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
