"Two runs of the same defended training, each in a fresh process, end with the same weights and the same log"
import json, os, subprocess, sys
from pathlib import Path
import pytest, torch

SCRIPT = '''
import sys, numpy as np, torch, warnings
from otcclip.splits import ScenesConfig, build_emoji_scenes
from otcclip.models import get_tokenizer
from otcclip.train import PairData, TrainConfig, Trainer
from otcclip.defenses import DEFENSES
warnings.simplefilter('ignore')
sets = build_emoji_scenes(ScenesConfig(n_bulk=200, per_class=4))
data = PairData.from_shards([sets['bulk'], sets['pascal_train']], get_tokenizer('tiny-vit'))
swap = np.roll(np.arange(12), 1)                              # 12 planted mismatched pairs
data.tokens[:12] = data.tokens[swap].clone(); data.n_caps[:12] = data.n_caps[swap].clone()
data.meta = {**data.meta, 'caption_class': [data.meta['primary'][j] for j in swap] + data.meta['primary'][12:],
             'poison': np.arange(len(data)) < 12}
name, out = sys.argv[1], sys.argv[2]
knobs = {'roclip': dict(pool_size=64, every=1), 'otcclip': dict(pool_size=64, k=4), 'simrule': {}}[name]
tr = Trainer(data, TrainConfig(model='tiny-vit', epochs=2, batch_size=32, lr=5e-4, seed=0), DEFENSES.make(name, **knobs), out_dir=out)
tr.fit()
'''

# OTCCLIP's runs differ between two fresh processes (measured 2026-12-04: the weights after 2 epochs on the smoke data are
# not bit-identical, while RoCLIP's and the similarity rule's are); the cause is not found yet. Marked strict, so that
# this test fails the day they agree, and the xfail comes off.
OTC_NONDETERMINISTIC = pytest.mark.xfail(strict=True, reason='OTCCLIP runs are not yet bit-identical across processes')

@pytest.mark.parametrize('name', ['roclip', pytest.param('otcclip', marks=OTC_NONDETERMINISTIC), 'simrule'])
def test_defended_run_is_reproducible_across_processes(tmp_path, name):
    env = {**os.environ, 'OMP_NUM_THREADS': '2', 'OTCCLIP_QUIET': '1'}
    for run in ('a', 'b'):
        res = subprocess.run([sys.executable, '-c', SCRIPT, name, str(tmp_path/run)], env=env, capture_output=True, text=True, timeout=900)
        assert res.returncode == 0, res.stderr[-3000:]
    a, b = (torch.load(tmp_path/r/'last.pt', weights_only=True) for r in ('a', 'b'))
    diff = [k for k in a['model'] if not torch.equal(a['model'][k], b['model'][k])]
    assert not diff, f'{name}: {len(diff)} tensors differ between two runs, e.g. {diff[:3]}'
    drop = lambda h: [{k: v for k, v in r.items() if k not in ('seconds', 'start_seconds', 'images_per_s')} for r in json.loads(h['history'])]
    assert drop(a) == drop(b)
