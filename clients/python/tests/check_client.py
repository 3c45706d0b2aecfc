"""Checks the client against a running server: python3 check_client.py BASE_URL EXPECTED.json [TOKEN].

EXPECTED.json (written by the Java test from the library's exact answer) holds features, k, supporting ids and
scores, opposing ids and scores, the predicted class, the index width and the batch rows. With "kind": "ntk" it
describes an ntk index instead: features, two targets and, per target, the index's exact top-k (check_ntk).
"""
import json
import sys

import numpy as np

import exemplar_client as ec


def same(e, want):
    """e's lists equal want's ids (in order) and scores (1e-12 relative)."""
    assert np.array_equal(e.supporting_ids, np.array(want["supportingIds"])), (e.supporting_ids, want["supportingIds"])
    assert np.array_equal(e.opposing_ids, np.array(want["opposingIds"])), (e.opposing_ids, want["opposingIds"])
    assert np.allclose(e.supporting_scores, want["supportingScores"], rtol=1e-12, atol=0)
    assert np.allclose(e.opposing_scores, want["opposingScores"], rtol=1e-12, atol=0)


def check_ntk(c, exp):
    """An ntk index: explain(features, k, target=y) per target, the batch with targets, and the refusals."""
    assert c.info()["needsTarget"] is True
    f = np.array(exp["features"])
    answers = exp["answers"]
    assert answers[0]["supportingIds"] != answers[1]["supportingIds"], "the two targets must rank differently"
    for want in answers:
        e = c.explain(f, k=exp["k"], target=want["target"])
        same(e, want)
        assert e.target == want["target"] and e.exact
        assert np.allclose(e.outputs, [exp["prediction"]], rtol=1e-12, atol=0)
    batch = c.explain_batch(np.array([f, f]), k=exp["k"], targets=[a["target"] for a in answers])
    for e, want in zip(batch, answers):
        same(e, want)
    try:
        c.explain(f, k=exp["k"])
        raise AssertionError("an ntk query without target accepted")
    except ec.ExemplarError as err:
        assert err.status == 400 and "needs 'target'" in err.message, err
    for bad in (float("nan"), float("inf"), "abc"):
        try:
            c.explain(f, k=exp["k"], target=bad)
            raise AssertionError(f"target {bad!r} accepted")
        except ValueError as err:
            assert "target" in str(err), err
    try:
        c.explain_batch(np.array([f, f]), k=exp["k"], targets=[0.5])
        raise AssertionError("one target for two rows accepted")
    except ValueError as err:
        assert "one value per row" in str(err), err
    own = c.explain_training(exp["trainingId"], k=exp["k"])    # reads the training point's own y_i
    assert np.array_equal(own.supporting_ids, np.array(exp["trainingSupportingIds"]))
    print("python client (ntk target): all checks passed")


def main():
    base, expected_file = sys.argv[1], sys.argv[2]
    token = sys.argv[3] if len(sys.argv) > 3 else None
    exp = json.load(open(expected_file))
    c = ec.Client(base, token=token)
    assert c.health()["status"] == "ok"
    if exp.get("kind") == "ntk":
        check_ntk(c, exp)
        return
    e = c.explain(np.array(exp["features"]), k=exp["k"])
    assert isinstance(e.supporting_ids, np.ndarray) and e.supporting_ids.dtype == np.int64
    assert np.array_equal(e.supporting_ids, np.array(exp["supportingIds"])), (e.supporting_ids, exp["supportingIds"])
    assert np.array_equal(e.opposing_ids, np.array(exp["opposingIds"]))
    assert np.allclose(e.supporting_scores, exp["supportingScores"], rtol=1e-12, atol=0)
    assert np.allclose(e.opposing_scores, exp["opposingScores"], rtol=1e-12, atol=0)
    assert e.predicted_class == exp["predictedClass"] and e.exact
    batch = c.explain_batch(np.array(exp["batch"]), k=exp["k"])
    assert len(batch) == len(exp["batch"])
    assert np.array_equal(batch[0].supporting_ids, e.supporting_ids)
    ids, scores = c.self_influence(top=5)
    assert len(ids) == 5 and np.all(np.diff(scores) <= 0)
    assert c.info()["needsTarget"] is False
    try:
        c.explain(np.array(exp["features"]), k=3, target=0.5)
        raise AssertionError("a target sent to a non-ntk index accepted")
    except ec.ExemplarError as err:
        assert err.status == 400 and "read by ntk indexes only" in err.message, err
    row = c.training(3)["features"]
    assert row.shape == (exp["dim"],)
    try:
        c.explain(np.zeros(exp["dim"] + 1), k=3)
        raise AssertionError("wrong width accepted")
    except ec.ExemplarError as err:
        assert err.status == 400 and "values, the index expects" in err.message, err
    try:
        c.explain_training(10 ** 6)
        raise AssertionError("unknown id accepted")
    except ec.ExemplarError as err:
        assert err.status == 404, err
    if token:
        try:
            ec.Client(base, token="wrong").explain(np.array(exp["features"]))
            raise AssertionError("wrong token accepted")
        except ec.ExemplarError as err:
            assert err.status == 401, err
    try:
        c.explain(np.full(exp["dim"], np.nan))
        raise AssertionError("NaN accepted")
    except ValueError:
        pass
    print("python client: all checks passed")


if __name__ == "__main__":
    main()
