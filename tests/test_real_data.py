"""A new user's path: a COCO-format dataset and a CLIP checkpoint in open_clip's format (and as safetensors) on disk,
03_poison_finetune and 04_defenses run end to end on them (smoke sizes), and the `paper` profiles fail fast without
their files."""
import os, subprocess, sys
from pathlib import Path
import pandas as pd, papermill as pm, pytest, torch
from safetensors.torch import save_file
from otcclip.core import repo_root
from otcclip.models import create_model, get_tokenizer
from otcclip.reproduce import check_plan, load_profile
from otcclip.runs import start_model
from otcclip.sources import experiment_data, export_coco
from otcclip.splits import VOC20

ARCH = 'micro-vit'

@pytest.fixture(scope='module')
def user(tmp_path_factory):
    "A COCO-format copy of the smoke emoji-scenes, and one random CLIP saved as a state dict and as safetensors"
    root = tmp_path_factory.mktemp('user')
    scenes = experiment_data({}, n_bulk=200, per_class=4)
    data = {'classes': VOC20, 'train': export_coco(scenes.sets['bulk'], root/'coco', 'train2014', VOC20),
            'gallery': export_coco(scenes.sets['pascal_test'], root/'coco', 'val2014', VOC20)}
    torch.manual_seed(0); model = create_model(ARCH, device='cpu').eval()
    sd = model.state_dict()
    torch.save(sd, root/'open_clip_pytorch_model.bin')
    save_file({k: v.contiguous() for k, v in sd.items()}, str(root/'open_clip_model.safetensors'))
    return root, data, model

@pytest.mark.parametrize('fname', ['open_clip_pytorch_model.bin', 'open_clip_model.safetensors'])
def test_weights_file_gives_the_saved_model(user, fname):
    root, _, model = user
    loaded, ident, _ = start_model(f'{ARCH}@{root/fname}')
    x, t = torch.rand(2, 3, 64, 64), get_tokenizer(ARCH)(["a sheep on grass", "a red plane"])
    with torch.no_grad():
        for a, b in zip(model.eval()(x, t)[:2], loaded.eval()(x, t)[:2]): torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert ident.startswith(f'{ARCH}@')

def _run(nb:str, out, params:dict):
    "Execute an experiment notebook with papermill; its results land under `out`"
    pm.execute_notebook(repo_root()/'nbs'/'experiments'/nb, out/nb, parameters=params, kernel_name='python3',
                        cwd=str(repo_root()/'nbs'/'experiments'), progress_bar=False)

def test_poison_finetune_on_coco(user, tmp_path):
    root, data, _ = user
    _run('03_poison_finetune.ipynb', tmp_path, dict(
        data=data, base=f'{ARCH}@{root/"open_clip_pytorch_model.bin"}', n_bulk=0, per_class=4, epochs=1, batch_size=32,
        attacks={'clean': {}, 'attack2': {'rates': '0.05'}, 'badnet': {}}, rates='0.01', backdoor_rates='0.05',
        check_claims=False, out_dir=str(tmp_path)))
    res = pd.read_csv(tmp_path/'results'/'poison_finetune.csv')
    assert {'base', 'clean', 'attack2', 'badnet'} <= set(res.run)
    assert set(res[res.run == 'attack2'].rate) == {0.05}   # the attack's own sweep, not `rates`
    assert (res[res.run.isin(['attack2', 'badnet'])].n_poison > 0).all() and res.zeroshot_top1.between(0, 1).all()
    assert res.setting.str.contains('coco: ').all() and res.setting.str.contains('open_clip_pytorch_model.bin').all()

def test_defenses_on_coco(user, tmp_path):
    root, data, _ = user
    _run('04_defenses.ipynb', tmp_path, dict(
        data=data, base=f'{ARCH}@{root/"open_clip_model.safetensors"}', n_bulk=0, per_class=4, epochs=1, batch_size=32,
        attacks={'attack2': {'rate': 0.05}}, defenses={'clip': {}, 'otcclip': {'pool_size': 64}},
        clean_reference=False, check_claims=False, out_dir=str(tmp_path)))
    res = pd.read_csv(tmp_path/'results'/'defenses.csv')
    assert set(res.defense) == {'clip', 'otcclip'} and res.asr.between(0, 1).all()
    assert res.setting.str.contains('coco: ').all()

@pytest.mark.parametrize('profile, n', [('paper', 4), ('paper-coco', 7)])
def test_paper_profiles_fail_fast_listing_every_path(profile, n, tmp_path):
    with pytest.raises(ValueError, match=rf"profile '{profile}' needs {n} path\(s\)") as e: load_profile(profile, environ={})
    names = load_profile.__globals__['_read_profile'](repo_root()/'configs'/f'{profile}.yaml')['paths']
    assert all(f'OTCCLIP_{k.upper()}' in str(e.value) for k in names)
    files = {}
    for k in names:   # stand-ins that exist: then the profile loads and every parameter, attack and defense checks
        p = tmp_path/k; (p.mkdir() if 'images' in k or k == 'pascal_sentences' else p.write_text('x')); files[k] = str(p)
    (tmp_path/'paths.yaml').write_text(''.join(f'{k}: {v}\n' for k, v in files.items()))
    p = load_profile(profile, environ={'OTCCLIP_PATHS': str(tmp_path/'paths.yaml')})
    check_plan(p, sorted((repo_root()/'nbs'/'experiments').glob('*.ipynb')))
    assert files['clip_weights'] in p['experiments']['03_poison_finetune']['base']

def test_cli_lists_the_missing_paths_before_any_work():
    env = {k: v for k, v in os.environ.items() if not k.startswith('OTCCLIP_')}
    r = subprocess.run([str(Path(sys.executable).parent/'otcclip'), 'reproduce', '--profile', 'paper'], capture_output=True,
                       text=True, env=env, cwd=repo_root())
    assert r.returncode == 2 and 'flickr30k_json' in r.stderr and 'pascal_sentences' in r.stderr, r.stderr
