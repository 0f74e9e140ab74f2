"""The test suite pins float32 forward passes, so that its tolerances mean the same on every machine kind; under
pytest-xdist each worker gets its share of the cores"""
import os

os.environ.setdefault('OTCCLIP_PRECISION', 'fp32')   # 'auto' would be bf16 on CPUs with AMX / AVX-512 BF16; tests/test_precision.py checks bf16
if os.environ.get('PYTEST_XDIST_WORKER'):   # `make test` runs 2 workers: one thread each, for torch here and for every subprocess and kernel
    os.environ['OMP_NUM_THREADS'] = str(max(1, (os.cpu_count() or 1)//int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))))
