#!/usr/bin/env python3
"""`make chaos`: the whole system under SIGKILL and a paused broker, compared with a clean run.

The simulated game server (mod-tools/sim.lua, fixed seed, a finite game) writes one game output.
A clean run feeds it to LogPipe → PacketIngest → two TileRenderer workers → MapGateway on a
private broker; each chaos round feeds the same output over a while, meanwhile SIGKILLs a random
service at random moments (every service at least once, restarted after a random pause) and
SIGSTOPs the broker (SIGCONT after `--pause-seconds`). Once the system is idle (every /healthz
ok, LogPipe's checkpoint at the end of the file, no consumer lag, no dirty or restoring renderer
partition, no topic growing for a while) it checks:
  - every tile (last record per key of `tiles`, and what the gateway serves) equals, byte for
    byte, the clean run's;
  - every line of the game output that PacketIngest routes to `map` is there, with the records
    the clean run has; a line routed twice is only allowed in the window the architecture
    documents (a PacketIngest kill after a batch's outputs and before its dedup state were
    acknowledged: at most one run of consecutive lines per kill).
The report is printed and written to .run/chaos/report.json; the exit status is 1 on any
difference. Settings: flags or CHAOS_* variables (--help). The seed is printed; CHAOS_SEED=N
replays a run's schedule (the services' own timing still varies).

    .tools/venv/bin/python scripts/chaos.py --bin-dir .build/debug   (scripts/chaos.sh does this)
"""
import argparse, json, os, random, signal, subprocess, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chaoslib import ROOT, SERVICES, System, map_lines

OUT = os.path.join(ROOT, ".run/chaos")


def env(name, default, kind=int):
    v = os.environ.get(name, "")
    return kind(v) if v != "" else default


def arguments():
    global OUT
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-dir", default=os.environ.get("KAFKATORIO_BIN_DIR", os.path.join(ROOT, ".build/debug")))
    ap.add_argument("--out", default=os.environ.get("CHAOS_OUT", os.path.join(ROOT, ".run/chaos")), help="where runs and report.json go (CHAOS_OUT, .run/chaos)")
    ap.add_argument("--short", action="store_true", help="the version in `make test`: 8 kills, one 8 s pause, a small world")
    ap.add_argument("--kills", type=int, default=env("CHAOS_KILLS", None), help="SIGKILLs per round (CHAOS_KILLS, 20)")
    ap.add_argument("--pauses", type=int, default=env("CHAOS_PAUSES", None), help="broker pauses per round (CHAOS_PAUSES, 2)")
    ap.add_argument("--pause-seconds", type=float, default=env("CHAOS_PAUSE_SECONDS", None, float), help="CHAOS_PAUSE_SECONDS (30)")
    ap.add_argument("--renderer-state", choices=["memory", "store"], default=os.environ.get("CHAOS_RENDERER_STATE", "memory"),
                    help="TileRenderer's state in memory (the default) or in a local store that survives its kills (CHAOS_RENDERER_STATE)")
    ap.add_argument("--rounds", type=int, default=env("CHAOS_ROUNDS", 1), help="chaos rounds against one clean run (CHAOS_ROUNDS)")
    ap.add_argument("--seed", type=int, default=env("CHAOS_SEED", None), help="schedule seed (CHAOS_SEED; random by default)")
    ap.add_argument("--victims", default=os.environ.get("CHAOS_VICTIMS", ",".join(SERVICES)),
                    help="comma-separated services to kill (CHAOS_VICTIMS; default all, each at least once)")
    ap.add_argument("--gap", type=float, default=env("CHAOS_GAP", None, float), help="mean seconds between events (CHAOS_GAP, 4)")
    ap.add_argument("--sim", default=os.environ.get("CHAOS_SIM", ""),
                    help='the game: sim.lua flags (CHAOS_SIM, "--duration 60 --chunks 64 --players 6 --build-rate 20 --seed 7")')
    a = ap.parse_args()
    short = dict(kills=8, pauses=1, pause_seconds=8, gap=3, sim="--duration 20 --chunks 16 --players 3 --build-rate 40 --seed 5")
    full = dict(kills=20, pauses=2, pause_seconds=30, gap=4, sim="--duration 60 --chunks 64 --players 6 --build-rate 20 --seed 7")
    for k, v in (short if a.short else full).items():
        if getattr(a, k) in (None, ""):
            setattr(a, k, v)
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1, 1 << 31)
    a.quiet = 10 if a.short else 15
    a.victims = [v for v in a.victims.split(",") if v]
    unknown = set(a.victims) - set(SERVICES)
    if unknown or not a.victims:
        ap.error(f"--victims: {sorted(unknown) or 'none'} not among {SERVICES}")
    OUT = os.path.abspath(a.out)
    return a


def game_output(sim):
    """The game output for sim.lua flags `sim` (deterministic for a seed; generated once, cached)."""
    name = "game" + "".join(c if c.isalnum() else "_" for c in sim) + ".log"
    path = os.path.join(OUT, name)
    if not os.path.exists(path):
        print(f"chaos: generating the game output ({sim})", flush=True)
        tmp = path + ".tmp"
        if os.path.exists(tmp):
            os.remove(tmp)
        subprocess.check_call(["lua5.2", os.path.join(ROOT, "mod-tools/sim.lua"), "--fast", "--out", tmp] + sim.split(), cwd=ROOT)
        os.rename(tmp, path)
    return path


def feed(system, game, seconds, pieces=40):
    """Appends the game output to the system's log: at once (seconds 0) or in pieces over `seconds`."""
    lines = open(game, "rb").readlines()
    step = max(1, -(-len(lines) // pieces)) if seconds else len(lines)
    with open(system.game_log, "ab") as f:
        for i in range(0, len(lines), step):
            f.write(b"".join(lines[i:i + step])); f.flush()
            if seconds:
                time.sleep(seconds / pieces)


def schedule(rng, a):
    """The round's events: ("kill", service, restart pause) and ("pause",), each after a gap."""
    pool = a.victims
    victims = rng.sample(pool, len(pool))[:a.kills] + [rng.choice(pool) for _ in range(a.kills - len(pool))]
    events = [("kill", v, round(rng.uniform(0.5, 6), 1)) for v in victims] + [("pause",)] * a.pauses
    rng.shuffle(events)
    return [(round(rng.uniform(0.5, 2 * a.gap), 1), e) for e in events]


def run(name, game, a, events=None, keys=(), log=print):
    """One run (clean when `events` is None); returns what it left and what happened."""
    work = os.path.join(OUT, name)
    subprocess.call(["rm", "-rf", work])
    s = System(work, a.bin_dir, lambda m: log(f"chaos [{name}] {time.strftime('%H:%M:%S')} {m}"),
               renderer_state=a.renderer_state == "store")
    kills, pauses, t0 = {v: 0 for v in SERVICES}, 0, time.time()
    s.start_broker()
    try:
        s.prepare()
        for v in SERVICES:
            s.start(v)
        span = sum(g + (e[2] if e[0] == "kill" else a.pause_seconds) for g, e in events or [])
        feeder = threading.Thread(target=feed, args=(s, game, span), daemon=True)
        feeder.start()
        for gap, e in events or []:
            time.sleep(gap)
            s.reap()
            if e[0] == "kill":
                s.log(f"SIGKILL {e[1]}, restart in {e[2]} s")
                s.kill(e[1]); kills[e[1]] += 1
                time.sleep(e[2])
                s.start(e[1])
            else:
                s.pause_broker(a.pause_seconds); pauses += 1
        feeder.join()
        s.log(f"chaos done after {time.time() - t0:.0f} s; waiting until the system is idle")
        converge = s.wait_idle(quiet=a.quiet)
        tiles, reverted = s.tiles()
        routed = s.routed()
        served = s.served(sorted(set(tiles) | set(keys))) if converge is not None else {}
        codes = s.stop_all()
        s.log(f"stopped: {codes}")
        return dict(tiles=tiles, reverted=reverted, routed=routed, served=served, kills=kills, pauses=pauses, exits=s.exits, codes=codes,
                    converge=converge, seconds=time.time() - t0)
    finally:
        for v in SERVICES:
            p = s.procs.get(v)
            if p and p.poll() is None:
                p.kill()
        s.stop_broker()


def compare(clean, chaos, expected, a):
    """The round's report (``ok``: nothing differs)."""
    ct, xt = clean["tiles"], chaos["tiles"]
    keys = sorted(set(ct) | set(xt))
    different = [k for k in keys if ct.get(k) != xt.get(k)]
    served_different = [k for k in keys if chaos["served"].get(k) != ct.get(k)]
    routed, clean_routed = chaos["routed"], clean["routed"]
    missing = sorted(set(expected) - set(routed))
    extra = sorted(set(routed) - set(expected))
    differently = sorted(o for o in expected if o in routed and set(routed[o]) != set(clean_routed.get(o, {})))
    dup = {o for o, recs in routed.items() if max(recs.values()) > 1}
    order = sorted(expected)
    runs = sum(1 for i, o in enumerate(order) if o in dup and (i == 0 or order[i - 1] not in dup))
    ingest_deaths = chaos["kills"]["PacketIngest"] + sum(1 for s, _ in chaos["exits"] if s == "PacketIngest")
    most = max((max(r.values()) for r in routed.values()), default=0)
    lines = dict(expected=len(expected), missing=len(missing), unexpected=len(extra), routed_differently=len(differently),
                 duplicated=len(dup), duplicate_records=sum(sum(c - 1 for c in r.values()) for r in routed.values()),
                 duplicate_runs=runs, allowed_runs=ingest_deaths, most_copies=most)
    report = dict(
        kills=chaos["kills"], pauses=chaos["pauses"], pause_seconds=a.pause_seconds, unexpected_exits=chaos["exits"],
        seconds=round(chaos["seconds"]), converged_after=None if chaos["converge"] is None else round(chaos["converge"]),
        tiles=dict(compared=len(keys), equal=len(keys) - len(different), different=len(different),
                   missing=sum(1 for k in different if k not in xt), extra=sum(1 for k in different if k not in ct),
                   different_keys=different[:20], reverted_records=chaos["reverted"]),
        gateway=dict(compared=len(keys), equal=len(keys) - len(served_different), different=len(served_different),
                     different_keys=served_different[:20]),
        lines=dict(lines, missing_offsets=missing[:20], duplicated_offsets=sorted(dup)[:20]),
        shutdown=chaos["codes"])
    report["ok"] = (chaos["converge"] is not None and not different and not served_different and not missing and not extra
                    and not differently and runs <= ingest_deaths and most <= 1 + ingest_deaths)
    return report


def clean_problems(clean, expected):
    """What is wrong with the clean run itself (it is the reference)."""
    problems = []
    if clean["converge"] is None:
        problems.append("did not become idle")
    if set(clean["routed"]) != set(expected):
        problems.append(f"map holds {len(clean['routed'])} lines of the {len(expected)} expected")
    if any(max(r.values()) > 1 for r in clean["routed"].values()):
        problems.append("a line routed twice")
    if any(clean["served"].get(k) != v for k, v in clean["tiles"].items()):
        problems.append("the gateway serves other bytes than `tiles` holds")
    if not clean["tiles"]:
        problems.append("no tiles")
    return problems


def main():
    # SIGTERM (or Ctrl-C) stops the services and the broker of the running run (its `finally`).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    a = arguments()
    os.makedirs(OUT, exist_ok=True)
    print(f"chaos: seed {a.seed} (replay with CHAOS_SEED={a.seed}); {a.rounds} round(s) of {a.kills} kills and "
          f"{a.pauses} broker pauses of {a.pause_seconds:g} s; game: {a.sim}", flush=True)
    game = game_output(a.sim)
    expected = map_lines(game)
    clean = run("clean", game, a, log=lambda m: print(m, flush=True))
    problems = clean_problems(clean, expected)
    print(f"chaos: clean run: {len(clean['tiles'])} tiles, {len(clean['routed'])} map lines in {clean['seconds']:.0f} s"
          + (f"; PROBLEMS: {problems}" if problems else ""), flush=True)
    reports = []
    for r in range(a.rounds):
        seed = a.seed + r
        events = schedule(random.Random(seed), a)
        chaos = run(f"round-{r + 1}", game, a, events, keys=clean["tiles"], log=lambda m: print(m, flush=True))
        rep = dict(round=r + 1, seed=seed, **compare(clean, chaos, expected, a))
        reports.append(rep)
        t, l = rep["tiles"], rep["lines"]
        print(f"chaos: round {r + 1} (seed {seed}): {'OK' if rep['ok'] else 'DIFFERENT'}; kills {rep['kills']}, "
              f"{rep['pauses']} pauses; tiles {t['compared']} compared, {t['equal']} equal, {t['different']} different "
              f"{t['different_keys'][:5]} ({t['reverted_records']} records put a tile back to an earlier value); gateway {rep['gateway']['different']} different; lines {l['expected']} expected, "
              f"{l['missing']} missing, {l['duplicated']} duplicated in {l['duplicate_runs']} runs (allowed "
              f"{l['allowed_runs']}); idle {rep['converged_after']} s after the chaos; unexpected exits "
              f"{rep['unexpected_exits']}; exit statuses at SIGTERM {rep['shutdown']}", flush=True)
    ok = not problems and all(r["ok"] for r in reports)
    summary = dict(seed=a.seed, settings=dict(kills=a.kills, pauses=a.pauses, pause_seconds=a.pause_seconds, gap=a.gap, sim=a.sim),
                   clean=dict(tiles=len(clean["tiles"]), lines=len(clean["routed"]), problems=problems,
                              seconds=round(clean["seconds"])),
                   rounds=reports, ok=ok)
    with open(os.path.join(OUT, "report.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"chaos: {'OK' if ok else 'FAILED'}: {sum(r['ok'] for r in reports)}/{len(reports)} rounds equal to the clean run; "
          f"report in {os.path.join(OUT, 'report.json')}", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
