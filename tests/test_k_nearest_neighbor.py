"""Tests for cs231n/classifiers/k_nearest_neighbor.py."""
import numpy as np
import pytest

from cs231n.classifiers.k_nearest_neighbor import KNearestNeighbor


def _random_problem(num_train=40, num_test=15, dim=12, num_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    X_train = rng.normal(size=(num_train, dim)) * 50 + 100
    y_train = rng.integers(num_classes, size=num_train)
    X_test = rng.normal(size=(num_test, dim)) * 50 + 100
    return X_train, y_train, X_test


def _reference_distances(X_test, X_train):
    """Distances straight from the definition, one pair at a time."""
    out = np.empty((len(X_test), len(X_train)))
    for i, a in enumerate(X_test):
        for j, b in enumerate(X_train):
            out[i, j] = np.sqrt(sum((float(p) - float(q)) ** 2 for p, q in zip(a, b)))
    return out


@pytest.fixture
def trained():
    X_train, y_train, X_test = _random_problem()
    knn = KNearestNeighbor()
    knn.train(X_train, y_train)
    return knn, X_train, y_train, X_test


def test_two_loop_distances_match_the_definition(trained):
    knn, X_train, _, X_test = trained
    dists = knn.compute_distances_two_loops(X_test)
    assert dists.shape == (len(X_test), len(X_train))
    np.testing.assert_allclose(dists, _reference_distances(X_test, X_train), rtol=1e-12)


def test_two_one_and_no_loop_distances_are_equal(trained):
    knn, _, _, X_test = trained
    d2 = knn.compute_distances_two_loops(X_test)
    d1 = knn.compute_distances_one_loop(X_test)
    d0 = knn.compute_distances_no_loops(X_test)
    assert d1.shape == d0.shape == d2.shape
    assert np.linalg.norm(d2 - d1, ord="fro") < 1e-9
    assert np.linalg.norm(d2 - d0, ord="fro") < 1e-6


def test_no_loop_distance_of_a_point_to_itself_is_exactly_zero_not_nan():
    # Large pixel-like values make ||x||^2 + ||x||^2 - 2 x.x round to a tiny
    # (possibly negative) number; the clamp must keep sqrt from giving NaN.
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 255, size=(30, 3072))
    knn = KNearestNeighbor()
    knn.train(X, np.zeros(30, dtype=np.int64))
    d = knn.compute_distances_no_loops(X)
    assert not np.any(np.isnan(d))
    assert np.all(d >= 0)
    assert np.max(np.abs(np.diag(d))) < 1e-3
    np.testing.assert_allclose(d, d.T, atol=1e-6)


def test_predict_with_k1_on_training_points_returns_their_labels(trained):
    knn, X_train, y_train, _ = trained
    for num_loops in (0, 1, 2):
        np.testing.assert_array_equal(knn.predict(X_train, k=1, num_loops=num_loops), y_train)


def test_predict_shape_and_dtype(trained):
    knn, _, y_train, X_test = trained
    pred = knn.predict(X_test, k=3)
    assert pred.shape == (len(X_test),)
    assert np.issubdtype(pred.dtype, np.integer)
    assert set(pred) <= set(y_train)


def test_predict_labels_majority_vote():
    knn = KNearestNeighbor()
    knn.train(np.zeros((5, 2)), np.array([2, 0, 2, 1, 1]))
    # test point 0: nearest three are training 0, 2, 3 -> labels 2, 2, 1 -> 2
    # test point 1: nearest three are training 1, 3, 4 -> labels 0, 1, 1 -> 1
    dists = np.array([[0.1, 5.0, 0.2, 0.3, 9.0],
                      [7.0, 0.1, 8.0, 0.2, 0.3]])
    np.testing.assert_array_equal(knn.predict_labels(dists, k=3), [2, 1])
    np.testing.assert_array_equal(knn.predict_labels(dists, k=1), [2, 0])


def test_predict_labels_breaks_vote_ties_toward_the_smaller_label():
    knn = KNearestNeighbor()
    knn.train(np.zeros((4, 2)), np.array([3, 1, 7, 5]))
    # Two votes for 3 and 1 (k=2), or one vote each for 3, 1, 7, 5 (k=4).
    dists = np.array([[0.1, 0.2, 9.0, 9.0],
                      [0.2, 0.1, 9.0, 9.0],
                      [1.0, 2.0, 3.0, 4.0]])
    np.testing.assert_array_equal(knn.predict_labels(dists, k=2), [1, 1, 1])
    np.testing.assert_array_equal(knn.predict_labels(dists, k=4), [1, 1, 1])


def test_predict_labels_takes_the_lower_index_among_equally_distant_points():
    knn = KNearestNeighbor()
    knn.train(np.zeros((4, 2)), np.array([4, 2, 4, 4]))
    # Training points 1, 2 and 3 are all at distance 1; with k=2 the nearest are
    # point 0 (label 4) and point 1 (label 2): a tie, which goes to label 2.
    dists = np.array([[0.5, 1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(knn.predict_labels(dists, k=2), [2])
    # With k=3 points 0, 1, 2 vote: 4, 2, 4 -> label 4.
    np.testing.assert_array_equal(knn.predict_labels(dists, k=3), [4])


def test_predict_labels_with_k_equal_to_num_train_predicts_the_majority_class():
    knn = KNearestNeighbor()
    y = np.array([0, 2, 2, 1, 2, 0])
    knn.train(np.zeros((6, 1)), y)
    dists = np.random.default_rng(0).uniform(size=(5, 6))
    np.testing.assert_array_equal(knn.predict_labels(dists, k=6), np.full(5, 2))


def test_larger_k_smooths_away_a_mislabelled_point():
    # A cluster of label 0 with one point labelled 1 in its middle.
    X_train = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    y_train = np.array([0, 0, 1, 0, 0])
    knn = KNearestNeighbor()
    knn.train(X_train, y_train)
    X_test = np.array([[2.1]])
    assert knn.predict(X_test, k=1)[0] == 1
    assert knn.predict(X_test, k=3)[0] == 0


@pytest.mark.parametrize("method", ["compute_distances_two_loops", "compute_distances_one_loop",
                                    "compute_distances_no_loops"])
def test_distances_reject_test_data_of_the_wrong_dimension(trained, method):
    knn, _, _, X_test = trained
    with pytest.raises(ValueError, match="features"):
        getattr(knn, method)(X_test[:, :-1])
    with pytest.raises(ValueError, match="shape"):
        getattr(knn, method)(X_test[0])


def test_predict_before_train_raises():
    with pytest.raises(ValueError, match="train"):
        KNearestNeighbor().predict(np.zeros((2, 3)))


@pytest.mark.parametrize("k", [0, -1, 2.5, True, 41])
def test_predict_rejects_a_bad_k(trained, k):
    knn, _, _, X_test = trained
    with pytest.raises(ValueError, match="k"):
        knn.predict(X_test, k=k)


def test_predict_rejects_a_bad_num_loops(trained):
    knn, _, _, X_test = trained
    with pytest.raises(ValueError, match="num_loops"):
        knn.predict(X_test, num_loops=3)


def test_predict_labels_rejects_dists_of_the_wrong_shape_or_with_nan(trained):
    knn, X_train, _, _ = trained
    with pytest.raises(ValueError, match="shape"):
        knn.predict_labels(np.zeros((3, len(X_train) + 1)))
    bad = np.zeros((3, len(X_train)))
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        knn.predict_labels(bad)


def test_train_rejects_mismatched_or_bad_labels():
    knn = KNearestNeighbor()
    with pytest.raises(ValueError, match="shape"):
        knn.train(np.zeros((4, 3)), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="integers"):
        knn.train(np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="non-negative"):
        knn.train(np.zeros((4, 3)), np.array([0, 1, -1, 2]))
    with pytest.raises(ValueError, match="shape"):
        knn.train(np.zeros(4), np.zeros(4, dtype=int))
