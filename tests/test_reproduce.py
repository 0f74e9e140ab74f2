"The papermill runner: parameters reach the notebook, records are written, finished runs are skipped"
import json
import pytest
from otcclip.core import repo_root
from otcclip.reproduce import load_profile, run_experiments

@pytest.mark.xdist_group('runs-smoke')   # writes runs/smoke/00_emoji_scenes*, as the notebook test of 00 does
def test_runner_runs_then_skips(capfd):
    profile = load_profile('smoke')
    first = run_experiments(profile, only=['00_emoji_scenes'], force=True)
    assert 'TCP without encryption' not in ''.join(capfd.readouterr())   # the kernel runs over local IPC sockets
    assert [r['ok'] for r in first] == [True], first
    out = repo_root()/'runs'/'smoke'
    nb = json.loads((out/'00_emoji_scenes.ipynb').read_text())
    assert nb['metadata']['papermill']['parameters']['out_dir'] == 'runs/smoke'
    assert (out/'figures'/'emoji_scenes.png').exists() and (out/'tables'/'emoji_scenes_stats.md').exists()
    again = run_experiments(profile, only=['00_emoji_scenes'])
    assert again[0]['key'] == first[0]['key'] and again[0]['seconds'] == first[0]['seconds']   # skipped: the old record

def test_papermill_reads_every_parameter():
    "A parameters line papermill cannot parse would be invisible to `check_plan` (and to `papermill --help-notebook`)"
    import re, papermill as pm
    for nb in sorted((repo_root()/'nbs'/'experiments').glob('*.ipynb')):
        cell = next(c for c in json.loads(nb.read_text())['cells'] if 'parameters' in c['metadata'].get('tags', []))
        names = {m.group(1) for l in ''.join(cell['source']).splitlines() if (m := re.match(r'^(\w+)\s*:', l))}
        assert names == set(pm.inspect_notebook(str(nb))), (nb.name, names ^ set(pm.inspect_notebook(str(nb))))
