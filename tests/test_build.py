"Cross-module checks of the emoji-scenes build that notebooks cannot make (they run workers in-process)"
import json, os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np, pytest
from otcclip.assets import build_atlas, load_classmap
from otcclip.splits import ScenesConfig, ShardDataset, write_set, SceneDataset, make_sampler

def test_spawned_workers_match_in_process(tmp_path, monkeypatch):
    "Shards written by 2 spawned worker processes equal scenes generated here, byte for byte"
    monkeypatch.delenv('IN_TEST', raising=False)
    atlas, classmap = build_atlas(), load_classmap(); cfg = ScenesConfig(n_bulk=24, shard_size=7)
    ds = ShardDataset(write_set(atlas, classmap, cfg, 'bulk', tmp_path, workers=2))
    fly = SceneDataset(*make_sampler(atlas, classmap, cfg, 'bulk'))
    assert len(ds) == 24 and ds.manifest['shards'] == 4
    for i in (0, 6, 7, 23):
        assert np.array_equal(ds.image_array(i), np.asarray(fly[i].image)) and ds[i].captions == fly[i].captions

def test_long_lived_drawer_matches_in_process(tmp_path, monkeypatch):
    "Fresh bulk parts drawn by the one long-lived drawing process equal scenes generated here, and it is spawned once"
    monkeypatch.delenv('IN_TEST', raising=False)
    from otcclip import splits
    atlas, classmap = build_atlas(), load_classmap(); cfg = ScenesConfig(n_bulk=12, shard_size=5)
    fly = SceneDataset(*make_sampler(atlas, classmap, cfg, 'bulk'))
    before = len(splits._DRAWERS)
    for part in (1, 2):
        ds = ShardDataset(write_set(atlas, classmap, cfg, 'bulk', tmp_path, part=part, drawer=True))
        assert len(ds) == 12 and [m['index'] for m in ds.meta] == list(range(12*part, 12*part + 12))
        for i in (0, 5, 11): assert np.array_equal(ds.image_array(i), np.asarray(fly.sampler(12*part + i).image))
        if part == 1:   # an interrupt sent to the whole process group (Ctrl-C, a kernel's shutdown) is the parent's: the drawer lives on
            pool = list(splits._DRAWERS.values())[-1]; pids = [w.pid for w in pool._pool]
            for pid in pids: os.kill(pid, signal.SIGINT)
            time.sleep(1.0)
    assert len(splits._DRAWERS) == before + 1
    assert [w.pid for w in pool._pool] == pids and all(w.is_alive() for w in pool._pool)   # the same process, not a replacement

def test_corrupt_shard_names_file(tmp_path):
    "A truncated metadata line is reported with its file and line"
    atlas, classmap = build_atlas(), load_classmap()
    folder = write_set(atlas, classmap, ScenesConfig(n_bulk=5, shard_size=5), 'bulk', tmp_path, workers=1)
    meta = folder/'meta-00000.jsonl'; lines = meta.read_text().splitlines(); lines[3] = lines[3][:20]
    meta.write_text('\n'.join(lines) + '\n')
    with pytest.raises(ValueError, match=r'meta-00000.jsonl, record 3: malformed JSON'): ShardDataset(folder)

def test_cli_rejects_unknown_profile():
    res = subprocess.run([Path(sys.executable).parent/'otcclip', 'data', '--profile', 'huge'], capture_output=True, text=True)
    assert res.returncode != 0 and "unknown profile 'huge'" in res.stderr
