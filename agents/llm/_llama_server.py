"""`python -m agents.llm._llama_server ARGS`: llama-cpp-python's server (same arguments), with weight repacking off.

Why: a llama-cpp-python wheel compiled with -march=native on a CPU with AMX (e.g. Sapphire Rapids VMs) puts
Q4_K weights in ggml's AMX "extra" buffer type, and `ggml_backend_amx_mul_mat` segfaults on the first decode
(llama-cpp-python 0.3.36, checked on these machines). `use_extra_bufts=False` keeps weights in plain CPU
buffers. Set PACTLAB_LLAMA_EXTRA_BUFTS=1 to keep llama.cpp's default on a wheel without that fault.
"""

from __future__ import annotations

import importlib
import os
from typing import Any


def _disable_extra_buffer_types() -> None:
    # `Llama()` calls llama_cpp.llama_cpp.llama_model_default_params() when it loads a model
    low_level: Any = importlib.import_module("llama_cpp.llama_cpp")

    default_params = low_level.llama_model_default_params

    def params() -> Any:
        p = default_params()
        p.use_extra_bufts = False
        return p

    low_level.llama_model_default_params = params


def main() -> None:
    if os.environ.get("PACTLAB_LLAMA_EXTRA_BUFTS") != "1":
        _disable_extra_buffer_types()
    importlib.import_module("llama_cpp.server.__main__").main()


if __name__ == "__main__":
    main()
