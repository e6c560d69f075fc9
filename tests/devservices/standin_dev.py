"""Run the real supervisor (backend.devrun.run_dev) with stand-in children.

usage: standin_dev.py DATA_DIR PORT FAKE_PORT WWW [setup-fails|never-ready]

The "API" and the "WeChat fake" are ``python -m http.server`` serving WWW (which holds a
``readyz`` file), the "worker" sleeps, and the setup steps check the environment they get
(PostgreSQL and Redis answer at DATABASE_URL/REDIS_URL) and write it to WWW/env.json.
"""

import os
import sys
from pathlib import Path

from backend.devrun import Command, DevCommands, run_dev

data_dir, port, fake_port, www = sys.argv[1:5]
variant = sys.argv[5] if len(sys.argv) > 5 else ""
py = sys.executable

CHECK_ENV = f"""
import asyncio, json, os, asyncpg, redis
async def main():
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])
    assert await conn.fetchval("select 1") == 1
    await conn.close()
asyncio.run(main())
assert redis.Redis.from_url(os.environ["REDIS_URL"]).ping()
keys = ("DATABASE_URL", "REDIS_URL", "WECHAT_API_BASE", "PORT", "FAKE_WECHAT_PORT")
with open({str(Path(www) / "env.json")!r}, "w") as f:
    json.dump({{k: os.environ.get(k) for k in keys}}, f)
print("migrated")
"""

setup = [Command("migrate", [py, "-c", CHECK_ENV])]
if variant == "setup-fails":
    setup.append(
        Command("demo load", [py, "-c", "import sys; print('boom: demo data broken'); sys.exit(3)"])
    )
else:
    setup.append(Command("demo load", [py, "-c", "print('demo loaded')"]))

api_dir = www if variant != "never-ready" else str(Path(www) / "empty")
Path(api_dir).mkdir(exist_ok=True)
serve = [py, "-m", "http.server", "--bind", "127.0.0.1", "--directory"]
commands = DevCommands(
    setup=setup,
    children=[
        Command("fake-wechat", [*serve, www, fake_port]),
        Command("api", [*serve, api_dir, port]),
        Command(
            "worker", [py, "-c", "import time; print('worker up', flush=True); time.sleep(3600)"]
        ),
    ],
)
env = {
    k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "WECHAT_API_BASE")
}
env["JIUJINBAN_SERVICES"] = "embedded"
sys.exit(
    run_dev(
        environ=env,
        data_dir=Path(data_dir),
        port=int(port),
        fake_wechat_port=int(fake_port),
        commands=commands,
        ready_timeout=3.0 if variant == "never-ready" else 30.0,
    )
)
