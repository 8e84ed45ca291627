"""An interleaved A/B of two mocknexus trees (two commits' checkouts): which one serves faster, on a noisy machine.

Run: git worktree add /tmp/before <commit>
     .venv/bin/python bench/ab.py /tmp/before . [--rounds 6] [--seconds 3] [--scenarios get-by-id,create,update]

Both servers run pinned to core 0 (the one not measured stopped with SIGSTOP), wrk on core 1, the order
alternating round by round; prints each round and, per scenario, the medians and of b/a round by round.
A tree is run as `PYTHONPATH=<tree> .venv/bin/mocknexus serve` (the console script: `python -m mocknexus`
would put the current directory first on sys.path and run this checkout's code whatever PYTHONPATH says)."""

import argparse
import compileall
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (bench/ is not a package)


def serve(name: str, tree: str) -> bench.Server:
    compileall.compile_dir(Path(tree) / "mocknexus", quiet=1)  # as bench.py does: no compiling at start
    return bench.mocknexus(name, tree=tree)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="the first tree (a checkout with mocknexus/ in it)")
    parser.add_argument("b", help="the second tree")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--scenarios", default="get-by-id,create,update",
                        help=f"comma-separated, of {', '.join(s for s in bench.SCENARIOS if s != 'stop')}")
    args = parser.parse_args(argv)
    bench.need_tools()
    scenarios = args.scenarios.split(",")
    servers = {"a": serve("a", args.a), "b": serve("b", args.b)}
    rps: dict = {name: {s: [] for s in scenarios} for name in servers}
    try:
        refs = {name: bench.seed(server.url, "s") for name, server in servers.items()}
        for name, server in servers.items():
            bench.wrk(server.url, "get", 16, bench.WARMUP, refs[name][0], record=False)
            server.pause()
        for round_no in range(args.rounds):
            order = list(servers) if round_no % 2 == 0 else list(servers)[::-1]
            for scenario in scenarios:
                for name in order:
                    script, extra = bench.scenario_args(scenario, args.connections, refs[name], {},
                                                        f"ab{round_no}")
                    servers[name].resume()
                    try:
                        result = bench.wrk(servers[name].url, script, args.connections, args.seconds, *extra,
                                           record=False)
                    finally:
                        servers[name].pause()
                    rps[name][scenario].append(result["rps"])
            print(f"round {round_no + 1}: " + "  ".join(
                f"{s} a {rps['a'][s][-1]:,.0f} b {rps['b'][s][-1]:,.0f}" for s in scenarios), flush=True)
    finally:
        for server in servers.values():
            server.stop()
    for scenario in scenarios:
        a, b = rps["a"][scenario], rps["b"][scenario]
        ratios = [y / x for x, y in zip(a, b, strict=True)]
        print(f"{scenario}: a {statistics.median(a):,.0f}/s  b {statistics.median(b):,.0f}/s  "
              f"b/a {statistics.median(ratios):.3f} (rounds: {' '.join(f'{r:.2f}' for r in ratios)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
