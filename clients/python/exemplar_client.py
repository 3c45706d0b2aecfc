"""Python client for the Exemplar explanation server (``exemplar serve``).

One module, numpy and the standard library only::

    from exemplar_client import Client
    c = Client("http://127.0.0.1:8080", token=None)
    e = c.explain(features, k=10)          # features: 1-D array of the index's width
    e.supporting_ids, e.supporting_scores  # numpy arrays, best first
    e.opposing_ids, e.opposing_scores
    e = c.explain(features, k=10, target=0.7)  # ntk indexes: the real target y_t of the query (required)

An ``ntk`` index explains the squared test loss 1/2 (f(x_t) - y_t)^2, so a features query needs its real-valued
target y_t: ``explain(..., target=y)`` and ``explain_batch(..., targets=ys)`` send it (the server answers 400 when it
is missing there, and when it is given to any other index). ``Client.info()["needsTarget"]`` says which.

Scores follow the library's convention: positive = the training point supports the explained output (its
removal is predicted to lower it), negative = it opposes it.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np

__all__ = ["Client", "Explanation", "ExemplarError", "explain"]
__version__ = "0.1.0"


class ExemplarError(Exception):
    """A request the server refused: ``status`` is the HTTP status, ``message`` the server's explanation."""

    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


@dataclass
class Explanation:
    """One answer of /v1/explain, with the lists as numpy arrays."""

    supporting_ids: np.ndarray
    supporting_scores: np.ndarray
    opposing_ids: np.ndarray
    opposing_scores: np.ndarray
    predicted_class: int
    explained_class: int
    outputs: np.ndarray
    exact: bool
    raw: dict = field(repr=False)
    target: Optional[float] = None


def _explanation(d: dict) -> Explanation:
    def ids(key):
        return np.array([p["id"] for p in d[key]], dtype=np.int64)

    def scores(key):
        return np.array([p["score"] for p in d[key]], dtype=np.float64)

    return Explanation(ids("supporting"), scores("supporting"), ids("opposing"), scores("opposing"),
                       int(d["predictedClass"]), int(d["explainedClass"]),
                       np.asarray(d["outputs"], dtype=np.float64), bool(d["exact"]), d,
                       float(d["target"]) if "target" in d else None)


def _row(features: Any) -> list:
    a = np.asarray(features, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"features must be one row (1-D), got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("features contain NaN or infinity")
    return a.tolist()


def _target(target: Any, what: str = "target") -> float:
    try:
        t = float(target)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a real number, got {target!r}") from None
    if not np.isfinite(t):
        raise ValueError(f"{what} is {t} (must be finite)")
    return t


class Client:
    """A connection to one server. ``token``: the bearer token when the server runs with --token-file."""

    def __init__(self, base_url: str = "http://127.0.0.1:8080", token: Optional[str] = None, timeout: float = 60.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _request(self, path: str, body: Optional[dict] = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.base_url + path, data=data, method="GET" if body is None else "POST")
        req.add_header("Accept", "application/json")
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            try:
                msg = json.loads(text).get("error", text)
            except ValueError:
                msg = text
            raise ExemplarError(e.code, msg) from None

    @staticmethod
    def _options(k: int, cls: Optional[int], direction: str, approximate: Optional[bool]) -> dict:
        o: dict = {"k": int(k), "direction": direction}
        if cls is not None:
            o["class"] = int(cls)
        if approximate is not None:
            o["approximate"] = bool(approximate)
        return o

    def explain(self, features: Sequence[float], k: int = 10, cls: Optional[int] = None, direction: str = "both",
                approximate: Optional[bool] = None, target: Optional[float] = None) -> Explanation:
        """Top-k supporting and opposing training points of one feature row.

        ``target``: the query's real-valued target y_t, required by ntk indexes (which explain the squared test loss
        1/2 (f(x_t) - y_t)^2) and refused by the others; None sends none.
        """
        body = self._options(k, cls, direction, approximate)
        body["features"] = _row(features)
        if target is not None:
            body["target"] = _target(target)
        return _explanation(self._request("/v1/explain", body))

    def explain_training(self, training_id: int, k: int = 10, cls: Optional[int] = None,
                         direction: str = "both") -> Explanation:
        """Top-k of a training row used as the query."""
        body = self._options(k, cls, direction, None)
        body["trainingId"] = int(training_id)
        return _explanation(self._request("/v1/explain", body))

    def explain_batch(self, features: Any, k: int = 10, direction: str = "both",
                      approximate: Optional[bool] = None, targets: Optional[Sequence[float]] = None) -> list:
        """Several rows (a 2-D array) in one request; one Explanation per row.

        ``targets``: one real-valued target y_t per row (ntk indexes; see :meth:`explain`), or None.
        """
        a = np.asarray(features, dtype=np.float64)
        if a.ndim != 2:
            raise ValueError(f"features must be 2-D (queries x width), got shape {a.shape}")
        body = self._options(k, None, direction, approximate)
        body["queries"] = [{"features": _row(r)} for r in a]
        if targets is not None:
            t = np.asarray(targets, dtype=np.float64)
            if t.shape != (a.shape[0],):
                raise ValueError(f"targets must hold one value per row ({a.shape[0]}), got shape {t.shape}")
            for i, q in enumerate(body["queries"]):
                q["target"] = _target(t[i], f"targets[{i}]")
        return [_explanation(d) for d in self._request("/v1/explain/batch", body)["results"]]

    def training(self, training_id: int) -> dict:
        """A training row: label, name, features (numpy array), image URL."""
        d = self._request(f"/v1/training/{int(training_id)}")
        d["features"] = np.asarray(d["features"], dtype=np.float64)
        return d

    def self_influence(self, top: int = 20):
        """(ids, scores) of the training points with the largest self-influence (suspected mislabels first)."""
        d = self._request(f"/v1/self-influence?top={int(top)}")
        return (np.array([p["id"] for p in d["points"]], dtype=np.int64),
                np.array([p["score"] for p in d["points"]], dtype=np.float64))

    def info(self) -> dict:
        return self._request("/v1/info")

    def health(self) -> dict:
        return self._request("/health")


def explain(features: Sequence[float], k: int = 10, base_url: str = "http://127.0.0.1:8080",
            token: Optional[str] = None, **options) -> Explanation:
    """One-shot :meth:`Client.explain`."""
    return Client(base_url, token).explain(features, k, **options)
