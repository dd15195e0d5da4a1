#!/usr/bin/env python3
"""History bytes per day of a running system (issue 16): samples a MapGateway's /metrics and the
size of its history directory twice, `--seconds` apart after `--warmup`, and extrapolates the
growth to a day: tile versions, trail samples, and bytes on disk (the RocksDB store: versions,
marks and samples). Run it beside `make run` (the demo world) or `make bench-scale` while they
change the map; the result goes to stdout and `--out`.

  scripts/bench-history-rate.py --port 8080 --directory .run/demo/gateway-tiles-history
"""
import argparse, importlib.util, json, os, time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench_scale_meter", os.path.join(HERE, "bench-scale-meter.py"))
meter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(meter)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=8080, help="the gateway's port on 127.0.0.1 (8080)")
    ap.add_argument("--directory", required=True, help="the gateway's --history-directory")
    ap.add_argument("--warmup", type=float, default=120, help="seconds before the first sample (120)")
    ap.add_argument("--seconds", type=float, default=600, help="seconds between the samples (600)")
    ap.add_argument("--out", help="also write the JSON result here")
    a = ap.parse_args()
    time.sleep(a.warmup)
    h0 = meter.history_sample(a.port, a.directory)
    time.sleep(a.seconds)
    h1 = meter.history_sample(a.port, a.directory)
    r = dict(meter.history_rate(h0, h1), start=h0, end=h1)
    print(json.dumps(r))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(r, f, indent=1)


if __name__ == "__main__":
    main()
