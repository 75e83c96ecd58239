"""One lock for all on-CPU model work in this process (llama.cpp and MiniLM).

On a 2-core machine, a llama.cpp call and a torch encode running at once fight for the same
cores; llama.cpp's spinning threads then slow down many times over. Serialising them is
faster than overlapping them, so both local backends take this lock around their compute.
"""

import threading

LOCAL_COMPUTE = threading.Lock()
