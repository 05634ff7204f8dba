"""``tilint.ClusterBOW.v1``: spaCy's bag of words and bigrams plus word-class features.

The coverage classifier is a linear model over hashed sparse features. A bag of words only
knows the words of its training corpus; real policies say the same things in other words.
This architecture adds, for every token, its word's **Brown cluster** at a few path lengths
(class features, Koo et al. 2008; Turian et al. 2010): words used in similar contexts share a
cluster, so a word the corpus never used gets the weights its cluster-mates earned
("civilians" shares a cluster with "patients" and "residents"). The clusters are
Explosion's, shipped in ``spacy-lookups-data`` (already a dependency of tilint): about
100,000 English words. A UK spelling ("recognise") takes the cluster of its norm in the same
package ("recognize").

Everything is read from the tokens' ORTH hashes, which are the same in every vocabulary: the
table maps the hashes of a word's lower-case and capitalised forms to its cluster. It is
built by ``make train`` and saved inside the model; loading never reads
``spacy-lookups-data``. The feature keys, all hashed into one ``SparseLinear``:

* the n-grams of spaCy's ``extract_ngrams`` (ORTH, ``n <= ngram_size``), unchanged;
* for each token whose word has a cluster, one key per entry ``k`` of ``prefixes``: the
  first ``k`` bits of the cluster's path (``0``: the whole cluster), MurmurHash'd with seed
  ``k``. (spaCy stores a path as an integer read from the least significant bit, so the
  first ``k`` bits are ``id & (2**k - 1)``.)

:func:`cluster_keys` is the one definition of the class features. The layer counts keys one
sentence at a time, as ``extract_ngrams`` does; :mod:`tilint.coverage_model` counts them for
a whole batch at once (tested equal).
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy
from spacy.attrs import ORTH
from spacy.ml.models.textcat import NEG_VALUE, resize_and_set_ref
from spacy.util import registry
from thinc.api import Logistic, Model, NumpyOps, SparseLinear_v2, chain, resizable, softmax_activation, with_cpu
from thinc.layers.resizable import resize_linear_weighted

__all__ = ["LAYER_NAME", "build_cluster_bow", "cluster_keys", "cluster_table"]

LAYER_NAME = "tilint_cluster_ngrams"
_OPS = NumpyOps()  # hashing only: the same keys whatever ops the model runs on


@registry.architectures("tilint.ClusterBOW.v1")
def build_cluster_bow(
    exclusive_classes: bool,
    ngram_size: int,
    no_output_layer: bool,
    length: int = 262144,
    prefixes: Sequence[int] = (10, 0),
    nO: Optional[int] = None,
) -> Model:
    """spaCy's ``TextCatBOW.v3``, with the class features of this module added."""
    if not prefixes or any(not 0 <= k < 32 for k in prefixes):
        raise ValueError(f"cluster prefixes must be path lengths 0..31 (0: the whole cluster), not {list(prefixes)}")
    length = 2 ** (length - 1).bit_length()  # a power of two, as TextCatBOW.v3 rounds it
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": 0, "W": 0}
    output_layer = None
    if not no_output_layer:
        fill_defaults["b"] = NEG_VALUE
        output_layer = softmax_activation() if exclusive_classes else Logistic()
    resizable_layer: Model = resizable(sparse_linear, resize_layer=partial(resize_linear_weighted, fill_defaults=fill_defaults))
    model = with_cpu(chain(cluster_ngrams(ngram_size, prefixes), resizable_layer), sparse_linear.ops)
    if output_layer:
        model = chain(model, with_cpu(output_layer, output_layer.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=resizable_layer)
    return model


def cluster_ngrams(ngram_size: int, prefixes: Sequence[int]) -> Model:
    """The feature layer: ``extract_ngrams``' keys and counts plus the class keys. Its table
    (``cluster_keys``: sorted ORTH hashes, ``cluster_ids``: their clusters) is filled when
    the model is initialised for training and saved with it."""
    attrs = {
        "ngram_size": ngram_size,
        "attr": ORTH,
        "prefixes": list(prefixes),
        "cluster_keys": numpy.zeros(0, dtype="uint64"),
        "cluster_ids": numpy.zeros(0, dtype="uint32"),
    }
    return Model(LAYER_NAME, _forward, init=_init, attrs=attrs)


def _init(model: Model, X: Any = None, Y: Any = None) -> Model:
    model.attrs["cluster_keys"], model.attrs["cluster_ids"] = cluster_table()
    return model


def _forward(model: Model, docs: Sequence[Any], is_train: bool):
    """spaCy's ``extract_ngrams``, one sentence at a time, plus :func:`cluster_keys`."""
    ops: Any = model.ops
    batch_keys, batch_vals = [], []
    for doc in docs:
        orths = numpy.asarray(doc.to_array([ORTH]), dtype="uint64").reshape(-1)
        grams = [orths] + [ops.ngrams(n, orths) for n in range(2, model.attrs["ngram_size"] + 1)]
        grams.append(cluster_keys(model.attrs, orths, numpy.zeros(len(orths), dtype="int64"))[0])
        keys, vals = numpy.unique(numpy.concatenate(grams), return_counts=True)
        batch_keys.append(keys)
        batch_vals.append(vals)
    lengths = ops.asarray([len(k) for k in batch_keys], dtype="int32")
    out = (numpy.concatenate(batch_keys), numpy.concatenate(batch_vals).astype("f"), lengths)
    return out, lambda dY: []


def cluster_keys(attrs: dict, orths: numpy.ndarray, owner: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The class keys of the tokens ``orths`` (ORTH hashes of one or more sentences, with
    ``owner`` the sentence of each token), and the sentence of each key."""
    table, ids = attrs["cluster_keys"], attrs["cluster_ids"]
    if not len(table) or not len(orths):
        return numpy.zeros(0, dtype="uint64"), owner[:0]
    at = numpy.minimum(numpy.searchsorted(table, orths), len(table) - 1)
    known = table[at] == orths
    classes, owner = ids[at[known]].astype("uint64"), owner[known]
    keys = []
    for k in attrs["prefixes"]:
        path = classes & numpy.uint64((1 << k) - 1) if k else classes
        keys.append(_hash(path, k))
    return numpy.concatenate(keys), numpy.tile(owner, len(keys))


def _hash(ids: numpy.ndarray, seed: int) -> numpy.ndarray:
    """64-bit MurmurHash3 keys of ``ids`` (the first half of thinc's 128-bit ``ops.hash``)."""
    if not len(ids):
        return numpy.zeros(0, dtype="uint64")
    h = _OPS.hash(numpy.ascontiguousarray(ids, dtype="uint64"), seed).astype("uint64")
    return h[:, 0] | (h[:, 1] << numpy.uint64(32))


@lru_cache(maxsize=1)
def cluster_table() -> tuple[numpy.ndarray, numpy.ndarray]:
    """(sorted ORTH hashes, their cluster ids): every word of ``spacy-lookups-data``'s
    English Brown clusters in lower case and capitalised, and the UK spellings of its norm
    table under their norm's cluster. Read when a model is trained, never at run time."""
    import spacy_lookups_data  # type: ignore[import-untyped]
    from spacy.strings import get_string_id  # a token's ORTH: the string's hash, or its symbol

    data = Path(spacy_lookups_data.__file__).parent / "data"
    clusters: dict[str, int] = json.loads(gzip.decompress((data / "en_lexeme_cluster.json.gz").read_bytes()))
    norms: dict[str, str] = json.loads(gzip.decompress((data / "en_lexeme_norm.json.gz").read_bytes()))
    lower = {w: c for w, c in clusters.items() if c and w == w.lower()}
    for w, c in clusters.items():  # words the table has with capitals only
        if c and w.lower() not in lower:
            lower[w.lower()] = c
    for spelling, norm in norms.items():
        if spelling not in lower and lower.get(norm):
            lower[spelling] = lower[norm]
    table: dict[int, int] = {}
    for w, c in lower.items():
        for form in (w, w.capitalize()):
            table.setdefault(get_string_id(form), c)
    keys = numpy.array(sorted(table), dtype="uint64")
    return keys, numpy.array([table[k] for k in keys.tolist()], dtype="uint32")
