"Run every notebook in nbs/ as nbdev-test does (cells flagged notest/slow/gpu are skipped)"
import os, tempfile, warnings, pytest
from pathlib import Path
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import test_nb as run_nb   # aliased: pytest would collect a bare `test_nb`
from otcclip.attacks import ATTACKS
from otcclip.defenses import DEFENSES

cfg = get_config()
nbs = sorted(nbglob(cfg.nbs_path, as_path=True))

# The experiment notebooks share runs/smoke (03 and 07 share runs, 99 reads every results table): one xdist worker, in order
SHARED = pytest.mark.xdist_group('runs-smoke')
params = [pytest.param(o, marks=[SHARED] if Path(o).parent.name == 'experiments' else [], id=str(Path(o).relative_to(cfg.nbs_path))) for o in nbs]

@pytest.mark.parametrize('fn', params)
def test_notebook(fn, tmp_path, monkeypatch):
    os.environ.setdefault('OTCCLIP_QUIET', '1')
    # Notebook test cells make fixtures with `tempfile.mkdtemp()`: they land in pytest's own tmp_path, which pytest prunes,
    # so repeated test runs cannot fill the disk (leaked fixture folders of 150-180 MB each once did)
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path)); monkeypatch.setenv('TMPDIR', str(tmp_path))
    # A warning class that a notebook defines lives in its `__main__`, which an xdist worker cannot send to the controller:
    # the notebook's warnings are caught and re-raised, once each, as UserWarning naming the notebook and the class.
    # Notebooks run in this process: one that re-registers a class (08c's `@DEFENSES.register class OTCCLIP`, defined in its
    # `__main__`) would leave that copy filed for the next notebook on this worker, so the registries are put back after each.
    saved = [(reg, dict(reg)) for reg in (ATTACKS, DEFENSES)]
    try:
        with warnings.catch_warnings(record=True) as caught:
            ok, secs = run_nb(fn, skip_flags=cfg.tst_flags.split(), basepath=cfg.config_path)
    finally:
        for reg, entries in saved: reg.clear(); reg.update(entries)
    for m in dict.fromkeys(f'{Path(fn).name}: {w.category.__name__}: {w.message}' for w in caught): warnings.warn(m, UserWarning)
    assert ok, f'{fn} failed'
