"""Layout introspection and build facts of the compiled map."""

from mapbench.native import Map, build_info, layout


def test_bucket_is_laid_out_as_go():
    b = layout()["bmap"]
    assert b["size"] == 144
    fields = {f["name"]: f for f in b["fields"]}
    assert [fields[n]["offset"] for n in ("tophash", "keys", "elems", "overflow")] == [0, 8, 72, 136]
    assert fields["overflow"]["cache_line"] == 2


def test_headers():
    lay = layout()
    assert lay["hmap"]["size"] == 48  # Go's hmap on amd64
    hiter = lay["hiter"]
    assert hiter["fields"][0]["name"] == "key" and hiter["fields"][0]["offset"] == 0
    assert hiter["fields"][1]["name"] == "elem"
    assert hiter["size"] == 8 * hiter["words"]


def test_fields_are_ordered_and_disjoint():
    for kind, entry in layout().items():
        end = 0
        for f in entry["fields"]:
            assert f["offset"] >= end, (kind, f)
            assert f["cache_line"] == f["offset"] // 64
            assert f["last_cache_line"] == (f["offset"] + f["size"] - 1) // 64
            end = f["offset"] + f["size"]
        assert end <= entry["size"]


def test_build_info():
    info = build_info()
    assert info["compiler"]
    assert "-fno-omit-frame-pointer" in info["cflags"] and "-g" in info["cflags"]
    assert info["sanitized"] == any(f.startswith("-fsanitize=") for f in info["cflags"])


def test_stats_track_growth():
    m = Map(seed=1)
    assert m.stats()["buckets"] == 0
    for i in range(1000):
        m[i] = i
    s = m.stats()
    assert s["count"] == 1000 and s["buckets"] == 1 << s["B"]
    assert s["bucket_bytes"] == 144 * s["buckets"]
    assert 1000 <= 6.5 * s["buckets"]
    big = Map(hint=10000)
    assert big.stats()["B"] == 11 and big.stats()["array_bytes"] > big.stats()["bucket_bytes"]


def test_sanitized_build_when_asked():
    # the sanitizer CI env sets MAPBENCH_SANITIZE=1 for the build and the run: make sure
    # the installed module really is the sanitized one
    import os

    import pytest
    if os.environ.get("MAPBENCH_SANITIZE", "0") in ("", "0"):
        pytest.skip("not a sanitizer run (MAPBENCH_SANITIZE unset)")
    assert build_info()["sanitized"], "MAPBENCH_SANITIZE is set but the module is not sanitized"
