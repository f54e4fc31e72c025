"""A lease holder as a process of its own, for tests/test_lease.py: keeps the lease
``scheduler`` under a key prefix on a Redis URL, as the daemon's scheduler does, and prints
one line a change on stdout: ``ready holding|standby TOKEN``, then ``holding`` / ``lost``.

    python tests/lease_proc.py REDIS_URL PREFIX TTL_S
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from monitor.lease import SCHEDULER_LEASE, LeaseKeeper, LeasePolicy
from monitor.store import connect
from monitor.store.lease import Lease, new_token


def say(line: str) -> None:
    print(line, flush=True)


async def main(url: str, prefix: str, ttl_s: float) -> None:
    store = connect(url, Path("."), prefix=prefix, embedded_db="unused")
    lease = Lease(store, SCHEDULER_LEASE, new_token(), ttl_s)
    keeper = LeaseKeeper(
        lease, LeasePolicy.from_ttl(ttl_s), lambda holding: say("holding" if holding else "lost")
    )
    wait_s = await keeper.step()
    say(f"ready {'holding' if keeper.holding else 'standby'} {lease.token}")
    await asyncio.sleep(wait_s)
    await keeper.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
