#!/usr/bin/env python3
"""History bytes per day of a running system (issue 16): samples a MapGateway's /metrics and the
size of its history directory twice, `--seconds` apart after `--warmup`, and extrapolates the
growth to a day: tile versions, trail samples, and bytes on disk (the RocksDB store: versions,
marks and samples). Run it beside `make run` (the demo world) or `make bench-scale` while they
change the map; the result goes to stdout and `--out`.

  scripts/bench-history-rate.py --gateway http://127.0.0.1:8080 --directory .run/demo/gateway-tiles-history
"""
import argparse, json, os, re, time, urllib.request


def metrics(url):
    text = urllib.request.urlopen(url.rstrip("/") + "/metrics", timeout=10).read().decode()
    out = {}
    for name in ("kafkatorio_gateway_history_versions", "kafkatorio_gateway_trail_samples_total",
                 "kafkatorio_gateway_trail_samples_swept_total"):
        m = re.search(r"^" + name + r"(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.M)
        out[name] = float(m.group(1)) if m else 0.0
    return out


def disk(directory):
    total = 0
    for root, _, files in os.walk(directory):
        for f in files:
            try: total += os.path.getsize(os.path.join(root, f))
            except OSError: pass
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gateway", default="http://127.0.0.1:8080")
    ap.add_argument("--directory", required=True, help="the gateway's --history-directory")
    ap.add_argument("--warmup", type=float, default=120, help="seconds before the first sample (120)")
    ap.add_argument("--seconds", type=float, default=600, help="seconds between the samples (600)")
    ap.add_argument("--out", help="also write the JSON result here")
    a = ap.parse_args()
    time.sleep(a.warmup)
    t0, m0, d0 = time.time(), metrics(a.gateway), disk(a.directory)
    time.sleep(a.seconds)
    t1, m1, d1 = time.time(), metrics(a.gateway), disk(a.directory)
    day = 86400 / (t1 - t0)
    r = {
        "seconds": round(t1 - t0, 1),
        "versions_per_day": round((m1["kafkatorio_gateway_history_versions"] - m0["kafkatorio_gateway_history_versions"]) * day),
        "trail_samples_per_day": round((m1["kafkatorio_gateway_trail_samples_total"] - m0["kafkatorio_gateway_trail_samples_total"]) * day),
        "disk_bytes_start": d0, "disk_bytes_end": d1,
        "disk_mib_per_day": round((d1 - d0) * day / 2**20, 1),
    }
    print(json.dumps(r))
    if a.out:
        with open(a.out, "w") as f: json.dump(r, f, indent=1)


if __name__ == "__main__":
    main()
