"Adversarial plans for `otcclip reproduce`: a typo in a profile's name, keys, notebooks or parameters fails before anything runs, naming it"
import shutil, subprocess, sys
from pathlib import Path
import pytest
from otcclip.core import repo_root
from otcclip.reproduce import load_profile, check_plan

ROOT = repo_root()
NBS = sorted((ROOT/'nbs'/'experiments').glob('*.ipynb'))
STEMS = [nb.stem for nb in NBS]

@pytest.fixture
def configs(tmp_path):
    "A configs folder with a copy of `base.yaml`; call it with a profile's name and YAML text to add that profile"
    shutil.copy(ROOT/'configs'/'base.yaml', tmp_path)
    def add(name, text): (tmp_path/f'{name}.yaml').write_text(text); return tmp_path
    return add

def fails(fn, *parts):
    "`fn()` must raise `ValueError` whose message holds each of `parts`"
    with pytest.raises(ValueError) as e: fn()
    for p in parts: assert p in str(e.value), f'{p!r} not in {str(e.value)!r}'

# ---------------------------------------------------------------- profile names
@pytest.mark.parametrize('name', ['quik', 'Quick', 'quick.yaml', 'configs/quick', '../configs/quick', 'base', '', ' smoke'])
def test_unknown_profile_name(configs, name):
    d = configs('quick', 'workers: 1\n')
    fails(lambda: load_profile(name, d), f'unknown profile {name!r}', "known: ['quick']", str(d))

def standins(stem:str, where:Path)->dict:
    "An environment giving every path profile `stem` declares as an existing stand-in file or folder under `where`"
    import yaml
    names = (yaml.safe_load((ROOT/'configs'/f'{stem}.yaml').read_text()) or {}).get('paths') or {}
    for n in names: (where/n).mkdir(exist_ok=True)
    return {f'OTCCLIP_{n.upper()}': str(where/n) for n in names}

def test_real_profiles_load(tmp_path):
    for p in sorted((ROOT/'configs').glob('*.yaml')):
        if p.stem != 'base': assert load_profile(p.stem, environ=standins(p.stem, tmp_path))['profile'] == p.stem

# ---------------------------------------------------------------- profile keys
@pytest.mark.parametrize('text, bad', [('experiment: {}\n', 'experiment'), ('worker: 2\n', 'worker'), ('Data: {}\n', 'Data'),
                                       ('publish: true\nskips: {}\n', 'skips'), ('data: {}\nprofile: x\n', 'profile')])
def test_unknown_profile_key(configs, text, bad):
    fails(lambda: load_profile('typo', configs('typo', text)), 'typo.yaml', f"unknown key(s) ['{bad}']",
          "known: ['data', 'experiments', 'paths', 'publish', 'skip', 'workers']")

@pytest.mark.parametrize('text, bad', [('data: {n_bluk: 10}\n', 'n_bluk'), ('data: {N_bulk: 10}\n', 'N_bulk'),
                                       ('data:\n  per_class: 5\n  seeed: 1\n', 'seeed'), ('data: {size: 64, shardsize: 9}\n', 'shardsize')])
def test_unknown_data_key(configs, text, bad):
    fails(lambda: load_profile('typo', configs('typo', text)), 'typo.yaml', f"unknown data key(s) ['{bad}']", "'n_bulk'", "'per_class'")

def test_typo_in_base_names_base(configs):
    d = configs('fine', 'workers: 1\n')
    (d/'base.yaml').write_text((d/'base.yaml').read_text() + 'wokers: 3\n')
    fails(lambda: load_profile('fine', d), 'base.yaml', "unknown key(s) ['wokers']")

def test_empty_profile_is_base(configs):
    p = load_profile('empty', configs('empty', ''))
    assert p['profile'] == 'empty' and p['data']['per_class'] == 50

# ---------------------------------------------------------------- notebook stems and parameters
def smoke(**kw): return load_profile('smoke') | kw

@pytest.mark.parametrize('stem', ['00_emoji', '00_emoji_scenes.ipynb', '00_Emoji_Scenes', '03_poison_fintune', 'emoji_scenes', ''])
def test_unknown_notebook_in_experiments(stem):
    fails(lambda: check_plan(smoke(experiments={stem: {}}), NBS), "profile 'smoke' experiments", f'unknown notebook(s) [{stem!r}]',
          f'known: {STEMS}')

@pytest.mark.parametrize('stem', ['04_defense', '99_reports'])
def test_unknown_notebook_in_skip(stem):
    fails(lambda: check_plan(smoke(skip={stem: 'too slow'}), NBS), "profile 'smoke' skip", f'unknown notebook(s) [{stem!r}]')

@pytest.mark.parametrize('only', [['03_poison_fintune'], ['00_emoji_scenes', '99_reprot'], ['nbs/experiments/00_emoji_scenes'], ['']])
def test_unknown_notebook_in_only(only):
    bad = sorted(set(only) - set(STEMS))
    fails(lambda: check_plan(smoke(), NBS, only), '--only', f'unknown notebook(s) {bad}', f'known: {STEMS}')

@pytest.mark.parametrize('params, bad', [({'n_bluk': 10}, 'n_bluk'), ({'N_bulk': 10}, 'N_bulk'), ({'per_class ': 5}, 'per_class '),
                                         ({'n_bulk': 10, 'out-dir': 'x'}, 'out-dir')])
def test_unknown_parameter(params, bad):
    fails(lambda: check_plan(smoke(experiments={'00_emoji_scenes': params}), NBS), "profile 'smoke', notebook 00_emoji_scenes",
          f'unknown parameter(s) [{bad!r}]', "'n_bulk'", "'out_dir'")

def test_unknown_parameter_from_yaml(configs):
    d = configs('typo', 'experiments:\n  03_poison_finetune: {epochs: 1, rate: 0.01}\n')
    fails(lambda: check_plan(load_profile('typo', d), NBS), 'notebook 03_poison_finetune', "unknown parameter(s) ['rate']", "'rates'")

def test_sweep_knob_only_where_read(configs):
    "03 reads an attack's own 'rates'; elsewhere it is an unknown knob, and 03 still checks the attack's real knobs"
    ok = configs('own', "experiments:\n  03_poison_finetune: {attacks: {attack2: {rates: '0.01,0.05'}}}\n")
    check_plan(load_profile('own', ok), NBS)
    typo = configs('own2', "experiments:\n  03_poison_finetune: {attacks: {attack2: {rates: '0.01', gaol: x}}}\n")
    fails(lambda: check_plan(load_profile('own2', typo), NBS), 'notebook 03_poison_finetune', "['gaol']")
    other = configs('own3', "experiments:\n  04_defenses: {attacks: {attack2: {rates: '0.01'}}}\n")
    fails(lambda: check_plan(load_profile('own3', other), NBS), 'notebook 04_defenses', "['rates']")

def test_real_profiles_plan(tmp_path):
    for p in sorted((ROOT/'configs').glob('*.yaml')):
        if p.stem != 'base': check_plan(load_profile(p.stem, environ=standins(p.stem, tmp_path)), NBS)

# ---------------------------------------------------------------- schema confusions: gaps of otcclip.reproduce today
@pytest.mark.parametrize('text', ['- {data: {}}\n', 'data: [n_bulk]\n', 'data: 5\n', 'experiments: [00_emoji_scenes]\n',
                                  'skip: [00_emoji_scenes]\n', 'experiments: {00_emoji_scenes: [n_bulk]}\n', 'data: {n_bulk: 10\n',
                                  'workers: 1\nworkers: 2\n'])
def test_profile_value_types(configs, text):
    fails(lambda: check_plan(load_profile('odd', configs('odd', text)), NBS), 'odd.yaml')

# ---------------------------------------------------------------- the command: exit code 2 and the reason, before any work
def cli(*args):
    return subprocess.run([str(Path(sys.executable).parent/'otcclip'), *args], capture_output=True, text=True, timeout=180, cwd=ROOT)

@pytest.mark.parametrize('args, says', [(['reproduce', '--profile', 'quik'], "unknown profile 'quik'"),
                                        (['data', '--profile', 'Smoke'], "unknown profile 'Smoke'"),
                                        (['reproduce', '--profile', 'smoke', '--only', '00_emoji_scenes', '03_poison_fintune'],
                                         "--only: unknown notebook(s) ['03_poison_fintune']"),
                                        (['train', '--profile', 'smoke', '--out', 'nowhere', '--epohcs', '1'], '--epohcs')])
def test_cli_typos(args, says):
    r = cli(*args)
    assert r.returncode == 2 and says in r.stderr and 'Traceback' not in r.stderr, (r.returncode, r.stderr[-2000:])
    assert 'emoji-scenes' not in r.stdout                                        # no data was built

# ---------------------------------------------------------------- a plan that would score the control under one trigger only
def test_backdoors_sharing_a_goal_fail_before_training(tmp_path):
    "Two backdoors with one target share the goal 'trigger->sheep': 03 refuses them before any run, naming the goal"
    import papermill as pm
    with pytest.raises(pm.PapermillExecutionError) as e:
        pm.execute_notebook(ROOT/'nbs'/'experiments'/'03_poison_finetune.ipynb', tmp_path/'03.ipynb', kernel_name='python3',
                            parameters=dict(attacks={'clean': {}, 'blended': {}, 'wanet': {}}, out_dir=str(tmp_path)),
                            cwd=str(ROOT/'nbs'/'experiments'), progress_bar=False)
    assert "share the goal name ['trigger->sheep']" in str(e.value), str(e.value)[-2000:]
    assert not (tmp_path/'checkpoints').exists()

@pytest.mark.parametrize('study, says', [
    ({'strong blend': {'attack': 'blended', 'trigger': {'kind': 'blend', 'alpah': 0.3}}}, ("backdoor_study['strong blend']", 'alpah')),
    ({'longer': {'attack': 'attack2', 'epoch': 8}}, ("backdoor_study['longer']: unknown knob(s) ['epoch']",)),
    ({'no flips': {'flip': 'false'}}, ("backdoor_study['no flips']: flip must be true or false, not 'false'",)),
    ({'15%': {'rate': 15}}, ("backdoor_study['15%']: rate must be a share of the pairs between 0 and 1, not 15",))])
def test_study_typos_fail_before_training(tmp_path, study, says):
    "A study variant with an unknown knob, a trigger typo or a knob of the wrong kind fails before any run, naming the variant and the knob"
    import papermill as pm
    with pytest.raises(pm.PapermillExecutionError) as e:
        pm.execute_notebook(ROOT/'nbs'/'experiments'/'03_poison_finetune.ipynb', tmp_path/'03.ipynb', kernel_name='python3',
                            parameters=dict(backdoor_study=study, out_dir=str(tmp_path)), cwd=str(ROOT/'nbs'/'experiments'), progress_bar=False)
    for text in says: assert text in str(e.value), str(e.value)[-2000:]
    assert not (tmp_path/'checkpoints').exists()
