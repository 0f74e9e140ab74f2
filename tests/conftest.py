"The test suite pins float32 forward passes, so that its tolerances mean the same on every machine kind"
import os

os.environ.setdefault('OTCCLIP_PRECISION', 'fp32')   # 'auto' would be bf16 on CPUs with AMX / AVX-512 BF16; tests/test_precision.py checks bf16
