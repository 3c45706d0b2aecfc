"""Checks the client against a running server: python3 check_client.py BASE_URL EXPECTED.json [TOKEN].

EXPECTED.json (written by the Java test from the library's exact answer) holds features, k, supporting ids and
scores, opposing ids and scores, the predicted class, the index width and the batch rows.
"""
import json
import sys

import numpy as np

import exemplar_client as ec


def main():
    base, expected_file = sys.argv[1], sys.argv[2]
    token = sys.argv[3] if len(sys.argv) > 3 else None
    exp = json.load(open(expected_file))
    c = ec.Client(base, token=token)
    assert c.health()["status"] == "ok"
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
