"""longform/indexer.py: Pagefind's hash-map-ordered files re-encoded in one order, under any
shard's folder."""

import json

import pytest

from longform.indexer import _cbor_bytes, _decoded, _encoded, steady


@pytest.mark.parametrize("base", ["pagefind/", "pagefind/shard-3/"])
def test_filters_and_metadata_come_out_in_one_order_whatever_order_pagefind_used(base):
    def filter_file(values):
        return _encoded(["tag", values])

    ordered = [["Harbours", [0, 2]], ["Light", [0]], ["Tides", [1]]]
    names = []
    for values in (ordered, ordered[::-1]):
        bundle = {f"{base}filter/en_1111111.pf_filter": filter_file(values),
                  f"{base}pagefind.en_aaaaaaaaaa.pf_meta": _encoded(
                      ["1.5.2", [], [], [["tag", "en_1111111"]], [], []]),
                  f"{base}pagefind-entry.json": b'{"languages":{"en":{"hash":'
                                                  b'"en_aaaaaaaaaa"}}}'}
        result = steady(bundle, base)
        names.append(result)
    assert names[0] == names[1]
    [filter_name] = [n for n in names[0] if n.endswith(".pf_filter")]
    assert _decoded(names[0][filter_name]) == ["tag", ordered]
    [meta] = [n for n in names[0] if n.endswith(".pf_meta")]
    assert _decoded(names[0][meta])[3] == [["tag", filter_name.split("/")[-1][:-10]]]
    entry = json.loads(names[0][f"{base}pagefind-entry.json"])
    assert f"{base}pagefind.{entry['languages']['en']['hash']}.pf_meta" == meta
    assert all(name.startswith(base) and "/" not in name[len(base):].removeprefix("filter/")
               for name in names[0])
    assert _cbor_bytes(300) == b"\x19\x01\x2c" and _cbor_bytes("é") == b"\x62\xc3\xa9"
