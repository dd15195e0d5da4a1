#!/usr/bin/env python3
"""How much the embedded broker (Tansu, memory store) holds here: produces `--mb` MiB of records
(incompressible values of `--value-bytes`, distinct keys, like tiles and packet lines) to a
private broker's 8-partition topic, in steps, and samples the broker's RSS after each step
(acknowledged records only). Prints and writes (.run/bench/scale-broker.json) the RSS per MiB of
topic data, the figure scripts/bench-scale.py's topic bytes are multiplied with to say whether a
world fits. Stops early when the broker's RSS passes `--max-rss-mib` (the machine is shared).

    .tools/venv/bin/python scripts/bench-scale-broker.py [--mb 1024] [--value-bytes 2048]
"""
import argparse, importlib.util, json, os, subprocess, sys, time
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("meter", os.path.join(ROOT, "scripts/bench-scale-meter.py"))
meter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(meter)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--step-mb", type=int, default=128)
    ap.add_argument("--value-bytes", type=int, default=2048)
    ap.add_argument("--max-rss-mib", type=int, default=8000)
    ap.add_argument("--out", default=os.path.join(ROOT, ".run/bench/scale-broker.json"))
    a = ap.parse_args()
    state = os.path.join(ROOT, ".run/bench-scale/broker-capacity")
    subprocess.call(["rm", "-rf", state])
    bootstrap = subprocess.check_output([os.path.join(ROOT, "scripts/broker-start.sh"), state], text=True).strip()
    pid = int(open(os.path.join(state, "pid")).read())
    steps = []
    try:
        admin = AdminClient({"bootstrap.servers": bootstrap})
        for f in admin.create_topics([NewTopic("capacity", num_partitions=8, replication_factor=1)]).values():
            f.result()
        p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.size": 1 << 20, "acks": "all",
                      "compression.type": "none", "queue.buffering.max.kbytes": 256 << 10})
        pool = os.urandom(16 << 20)
        _, base, _ = meter.proc_sample(pid)
        steps.append(dict(data_mib=0, rss_mib=round(base, 1)))
        sent, n, t0 = 0, 0, time.time()
        while sent < a.mb << 20:
            goal = min(a.mb << 20, sent + (a.step_mb << 20))
            while sent < goal:
                off = (n * 7919 * 64) % (len(pool) - a.value_bytes)
                while True:
                    try:
                        p.produce("capacity", key=b"k%012d" % n, value=pool[off:off + a.value_bytes])
                        break
                    except BufferError:
                        p.poll(0.05)
                sent += a.value_bytes + 13
                n += 1
            p.flush(300)
            time.sleep(1)
            cpu, rss, peak = meter.proc_sample(pid)
            steps.append(dict(data_mib=round(sent / (1 << 20)), rss_mib=round(rss, 1), peak_mib=round(peak, 1), records=n,
                              cpu_s=round(cpu, 1), seconds=round(time.time() - t0, 1)))
            print(f"broker capacity: {steps[-1]}", flush=True)
            if rss > a.max_rss_mib:
                print(f"broker capacity: RSS over {a.max_rss_mib} MiB, stopping", flush=True)
                break
        del p  # the producer goes before the broker does (else it logs failed reconnects)
    finally:
        subprocess.call([os.path.join(ROOT, "scripts/broker-stop.sh"), state])
    first, last = steps[0], steps[-1]
    slope = (last["rss_mib"] - first["rss_mib"]) / max(1, last["data_mib"])
    result = dict(value_bytes=a.value_bytes, steps=steps, rss_per_data_mib=round(slope, 3), load_average=os.getloadavg())
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    json.dump(result, open(a.out, "w"), indent=1)
    print(f"broker capacity: {last['data_mib']} MiB of records → RSS {last['rss_mib']} MiB (from {first['rss_mib']}): "
          f"{slope:.2f} MiB RSS per MiB of topic data; results in {a.out}")


if __name__ == "__main__":
    sys.exit(main())
