"Run every notebook in nbs/ as nbdev-test does (cells flagged notest/slow/gpu are skipped)"
import os, pytest
from pathlib import Path
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import test_nb as run_nb   # aliased: pytest would collect a bare `test_nb`

cfg = get_config()
nbs = sorted(nbglob(cfg.nbs_path, as_path=True))

@pytest.mark.parametrize('fn', nbs, ids=[str(Path(o).relative_to(cfg.nbs_path)) for o in nbs])
def test_notebook(fn):
    os.environ.setdefault('OTCCLIP_QUIET', '1')
    ok, secs = run_nb(fn, skip_flags=cfg.tst_flags.split(), basepath=cfg.config_path)
    assert ok, f'{fn} failed'
