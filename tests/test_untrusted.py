"Untrusted files stay data (hostile CIFAR pickles, shard members, images, profiles, checkpoints), one writer per run folder, clear disk-full errors"
import errno, io, os, pickle, signal, subprocess, sys, tarfile, time
from pathlib import Path
import numpy as np, pytest, torch
from PIL import Image
from otcclip.core import DataError, DiskFullError, RunFolderBusy, atomic_write, run_lock
from otcclip.data import ImageError, WebDatasetCaptions, cifar, load_image

BIN = Path(sys.executable).parent
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'OTCCLIP_QUIET': '1'}

class Touch:
    "Pickles as a call of `os.system('touch <marker>')`: what a hostile file runs when it is unpickled"
    def __init__(self, marker): self.marker = marker
    def __reduce__(self): return (os.system, (f'touch {self.marker}',))

def png()->bytes:
    b = io.BytesIO(); Image.new('RGB', (8, 8), 'red').save(b, 'PNG'); return b.getvalue()

@pytest.fixture
def marker(tmp_path):
    m = tmp_path/'code-ran'
    yield m
    assert not m.exists(), 'a hostile file ran code'

# ---------------------------------------------------------------- CIFAR pickles
def cifar10(root:Path, protocol:int=2)->Path:
    "A CIFAR-10 folder pickled as the real files are: bytes keys' values, a uint8 array, lists of labels and names"
    root.mkdir(parents=True, exist_ok=True)
    batch = {'batch_label': b'testing batch 1 of 1', 'labels': [3, 7], 'data': np.zeros((2, 3072), np.uint8),
             'filenames': [b'a.png', b''], 'count': np.int64(2)}
    pickle.dump(batch, open(root/'test_batch', 'wb'), protocol=protocol)
    pickle.dump({'label_names': [f'c{i}' for i in range(10)], 'num_vis': 3072}, open(root/'batches.meta', 'wb'), protocol=protocol)
    return root

@pytest.mark.parametrize('protocol', [0, 2, 4, 5])
def test_cifar_data_pickles_load(tmp_path, protocol):
    ds = cifar(cifar10(tmp_path/'cifar-10-batches-py', protocol))
    assert ds.labels == [3, 7] and ds.classes[7] == 'c7'

@pytest.mark.parametrize('protocol', [0, 2, 5])
@pytest.mark.parametrize('victim', ['batches.meta', 'test_batch'])
def test_cifar_pickle_that_runs_a_command_is_refused(tmp_path, marker, protocol, victim):
    root = cifar10(tmp_path/'cifar-10-batches-py')
    pickle.dump({'label_names': ['x'], 'data': Touch(marker)}, open(root/victim, 'wb'), protocol=protocol)
    with pytest.raises(DataError) as e: cifar(root)
    assert f'{root/victim}: refused to unpickle {os.system.__module__}.system' in str(e.value)

@pytest.mark.parametrize('payload', [b"cbuiltins\neval\n(V__import__('os').system('touch MARK')\ntR.",
                                     b"cbuiltins\ngetattr\n(cos\nsystem\nVx\ntR.",
                                     b"c_codecs\nencode\n(Vx\nVrot13\ntR."])
def test_cifar_other_code_paths_are_refused(tmp_path, marker, payload):
    root = cifar10(tmp_path/'cifar-10-batches-py')
    (root/'batches.meta').write_bytes(payload.replace(b'MARK', str(marker).encode()))
    with pytest.raises(DataError, match='batches.meta'): cifar(root)

# ---------------------------------------------------------------- webdataset members
def shard(path:Path, members:list)->Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, 'w') as t:
        for name, b in members:
            ti = tarfile.TarInfo(name); ti.size = len(b); t.addfile(ti, io.BytesIO(b))
    return path

def test_pickled_shard_members_are_never_unpickled(tmp_path, marker):
    hostile = pickle.dumps(Touch(marker)); pth = io.BytesIO(); torch.save({'x': Touch(marker)}, pth)
    p = shard(tmp_path/'w'/'00000.tar', [('a.png', png()), ('a.txt', b'a dog'), ('a.pyd', hostile), ('a.pickle', hostile),
                                         ('a.pth', pth.getvalue()), ('b.pyd', hostile), ('b.txt', b'no image here')])
    ds = WebDatasetCaptions(p, skip=True)
    recs = list(ds)
    assert [r.source_id for r in recs] == ['w:a'] and recs[0].captions == ['a dog'] and 'meta' not in recs[0].labels
    assert ds.skipped.counts() == {'image': 1} and 'record b: no image' in ds.skipped.report()

# ---------------------------------------------------------------- images
EPS = b'%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\n%%EndComments\nnewpath 0 0 moveto 8 8 lineto stroke\nshowpage\n%%EOF\n'

def test_eps_is_not_handed_to_ghostscript(tmp_path, marker, monkeypatch):
    from PIL import EpsImagePlugin
    def ghostscript(*a, **k): marker.touch(); raise OSError('ghostscript ran')
    monkeypatch.setattr(EpsImagePlugin, 'Ghostscript', ghostscript)
    p = tmp_path/'photo.jpg'; p.write_bytes(EPS)
    with Image.open(p) as im: assert im.format == 'EPS'      # Pillow would open it, and decode it with Ghostscript
    with pytest.raises(ImageError, match='photo.jpg, record 4: corrupt image \\(unrecognised format\\)'): load_image(p, record=4)

# ---------------------------------------------------------------- YAML profiles
HOSTILE_YAML = "data: !!python/object/apply:os.system ['touch {}']\n"

def test_profile_yaml_cannot_run_code(tmp_path, marker):
    import shutil, yaml
    from otcclip.core import repo_root
    from otcclip.reproduce import _StrictLoader, load_profile, user_paths
    assert issubclass(_StrictLoader, yaml.SafeLoader)
    shutil.copy(repo_root()/'configs'/'base.yaml', tmp_path); (tmp_path/'evil.yaml').write_text(HOSTILE_YAML.format(marker))
    with pytest.raises(ValueError, match='evil.yaml: not valid YAML .*python/object/apply:os.system'): load_profile('evil', tmp_path)
    paths = tmp_path/'paths.yaml'; paths.write_text(HOSTILE_YAML.format(marker).replace('data', 'weights'))
    with pytest.raises(ValueError, match=f'OTCCLIP_PATHS={paths}: cannot read it'):
        user_paths(['weights'], {'OTCCLIP_PATHS': str(paths)})

# ---------------------------------------------------------------- checkpoints
def test_checkpoint_that_runs_code_is_refused(tmp_path, marker):
    from otcclip.models import load_model
    p = tmp_path/'model.pt'; torch.save({'model_name': 'tiny-vit', 'state_dict': {}, 'extra': Touch(marker)}, p)
    with pytest.raises(DataError, match='model.pt: not a readable checkpoint'): load_model(p)

# ---------------------------------------------------------------- one writer per run folder
HOLD = '''import sys, time, pathlib
from otcclip.core import run_lock
folder, ready, go, hold = sys.argv[1:5]
pathlib.Path(ready).touch()
while go != '-' and not pathlib.Path(go).exists(): time.sleep(0.01)
with run_lock(folder):
    print('writing', flush=True); time.sleep(float(hold))
'''

def holder(folder, ready, go='-', hold=3.0):
    return subprocess.Popen([sys.executable, '-c', HOLD, str(folder), str(ready), str(go), str(hold)], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

def wait_for(path, procs, timeout=120):
    t0 = time.time()
    while not Path(path).exists():
        assert all(p.poll() is None for p in procs) and time.time() - t0 < timeout, [p.communicate() for p in procs]
        time.sleep(0.02)

def test_two_writers_started_together_one_proceeds(tmp_path):
    run, go = tmp_path/'run', tmp_path/'go'
    procs = [holder(run, tmp_path/f'ready{i}', go) for i in range(2)]
    for i, p in enumerate(procs): wait_for(tmp_path/f'ready{i}', procs)
    go.touch()                                                    # both import first, then ask for the lock at once
    outs = [p.communicate(timeout=120) for p in procs]
    codes = [p.returncode for p in procs]
    assert sorted(codes)[0] == 0 and sorted(codes)[1] != 0, (codes, outs)
    win, lose = (0, 1) if codes[0] == 0 else (1, 0)
    assert outs[win][0] == 'writing\n' and 'writing' not in outs[lose][0]
    last = outs[lose][1].strip().splitlines()[-1]
    assert f'{run}: this run folder is in use by process {procs[win].pid} on host' in last, last

def test_lock_of_a_killed_writer_is_taken_over(tmp_path):
    run = tmp_path/'run'; p = holder(run, tmp_path/'ready', hold=600)
    wait_for(tmp_path/'ready', [p])
    while p.stdout.readline() != 'writing\n': assert p.poll() is None
    with pytest.raises(RunFolderBusy, match=f'in use by process {p.pid}'): run_lock(run).acquire()
    p.send_signal(signal.SIGKILL); p.wait()
    with run_lock(run): assert f'"pid": {os.getpid()}' in (run/'.lock').read_text()

def test_a_holder_that_has_just_locked_is_named_once_it_records_itself(tmp_path):
    import fcntl, json, threading
    run = tmp_path/'run'; run.mkdir()
    fd = os.open(run/'.lock', os.O_RDWR | os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)   # locked, no record yet
    late = threading.Timer(0.2, lambda: os.pwrite(fd, json.dumps({'pid': 4242, 'host': 'elsewhere'}).encode(), 0)); late.start()
    try:
        with pytest.raises(RunFolderBusy, match=f'{run}: this run folder is in use by process 4242 on host elsewhere'): run_lock(run).acquire()
    finally: late.join(); os.close(fd)

def tiny_pairs(n=64):
    from otcclip.models import get_tokenizer
    from otcclip.train import PairData
    imgs = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (n, 3, 64, 64), dtype=np.uint8))
    return PairData.from_captions(lambda idx: imgs[torch.as_tensor(idx)], [[f'image {i}'] for i in range(n)], get_tokenizer('tiny-vit'))

def test_trainer_refuses_a_folder_another_process_writes(tmp_path):
    from otcclip.train import TrainConfig, Trainer
    run = tmp_path/'run'; p = holder(run, tmp_path/'ready', hold=600)
    try:
        wait_for(tmp_path/'ready', [p])
        while p.stdout.readline() != 'writing\n': assert p.poll() is None
        with pytest.raises(RunFolderBusy, match=f'{run}: this run folder is in use by process {p.pid}'):
            Trainer(tiny_pairs(), TrainConfig(epochs=1, batch_size=32), out_dir=run)
        assert not (run/'last.pt').exists()
    finally: p.kill(); p.wait()

def test_cli_train_into_a_busy_folder_exits_naming_it(tmp_path):
    run = tmp_path/'run'
    with run_lock(run):
        res = subprocess.run([str(BIN/'otcclip'), 'train', '--profile', 'smoke', '--epochs', '1', '--out', str(run)],
                             env=ENV, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr[-2000:]
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith(f'otcclip train: {run}: this run folder is in use by process {os.getpid()}'), last
    assert not (run/'last.pt').exists()

# ---------------------------------------------------------------- full disk
class FullDisk(io.RawIOBase):
    "A file that takes `room` bytes, then fails as a full disk does"
    def __init__(self, f, room:int): self.f, self.room = f, room
    def writable(self): return True
    def write(self, b):
        if len(b) > self.room: raise OSError(errno.ENOSPC, 'No space left on device')
        self.room -= len(b); return self.f.write(b)

def plain_oserror(save): return lambda obj, f: (f.write(b'x' * 1000), (_ for _ in ()).throw(OSError(errno.ENOSPC, 'No space left on device')))
def torch_short_write(save): return lambda obj, f: save(obj, FullDisk(f, 100_000))   # torch: RuntimeError 'unexpected pos', ENOSPC in its chain

@pytest.mark.parametrize('fail', [plain_oserror, torch_short_write])
def test_checkpoint_on_a_full_disk(tmp_path, monkeypatch, fail):
    from otcclip.train import TrainConfig, Trainer
    run, cfg, data = tmp_path/'run', TrainConfig(epochs=2, batch_size=32, lr=5e-4), tiny_pairs()
    Trainer(data, cfg, out_dir=run).fit(until=1)
    before = (run/'last.pt').read_bytes()
    monkeypatch.setattr(torch, 'save', fail(torch.save))
    with pytest.raises(DiskFullError) as e: Trainer(data, cfg, out_dir=run).fit()
    msg = str(e.value)
    assert e.value.errno == errno.ENOSPC and f'no space left on device while writing {run}/last.pt' in msg and 'rerun the same command' in msg
    assert (run/'last.pt').read_bytes() == before and sorted(p.name for p in run.iterdir()) == ['.lock', 'last.pt', 'metrics.jsonl']
    monkeypatch.undo()
    assert Trainer(data, cfg, out_dir=run).fit()[-1]['epoch'] == 2   # rerun: resumes from the last finished epoch

def test_write_json_on_a_full_disk(tmp_path, monkeypatch):
    from otcclip.core import write_json
    write_json(tmp_path/'r.json', {'a': 1})
    def full(*a, **k): raise OSError(errno.EDQUOT, 'Disk quota exceeded')
    monkeypatch.setattr('json.dump', full)
    with pytest.raises(DiskFullError, match=f'disk quota exceeded while writing {tmp_path}/r.json'): write_json(tmp_path/'r.json', {'a': 2})
    assert (tmp_path/'r.json').read_text() == '{\n "a": 1\n}' and [p.name for p in tmp_path.iterdir()] == ['r.json']
