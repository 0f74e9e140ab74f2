"""The test suite pins float32 forward passes, so that its tolerances mean the same on every machine kind; under
pytest-xdist each worker gets its share of the cores"""
import os

os.environ.setdefault('OTCCLIP_PRECISION', 'fp32')   # 'auto' would be bf16 on CPUs with AMX / AVX-512 BF16; tests/test_precision.py checks bf16
if os.environ.get('PYTEST_XDIST_WORKER'):   # `make test` runs 2 workers: one thread each, for torch here and for every subprocess and kernel
    os.environ['OMP_NUM_THREADS'] = str(max(1, (os.cpu_count() or 1)//int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))))

import pytest

UNGROUPED = pytest.StashKey[str]()

@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    "Under `--dist loadgroup`, flag the `xdist_group` tests that pytest-xdist did not group (it silently stops with pytest 9.2, pytest-xdist#1386)"
    if not (os.environ.get('PYTEST_XDIST_WORKER') and config.getvalue('loadgroup')): return
    for i in items:
        if i.get_closest_marker('xdist_group') and '@' not in i.nodeid.rpartition(']')[2]:
            i.stash[UNGROUPED] = ('pytest-xdist did not put this test in its xdist_group, whose tests share files and must run on one worker: '
                                  'install the pytest version that pyproject.toml names (pytest-xdist#1386)')

@pytest.fixture(autouse=True)
def _in_its_group(request):
    "Fail a grouped test that runs outside its group, instead of letting it race its group on shared files"
    if (why := request.node.stash.get(UNGROUPED, None)): pytest.fail(why)
