#!/usr/bin/env python3
"""Screenshot a page in headless Chromium after a REAL wait (live WebSocket updates included).

`chromium --screenshot` with --virtual-time-budget does not advance real WebSocket traffic, so
live markers may be missing. This drives Chromium over the DevTools protocol instead:
    .tools/venv/bin/python scripts/screenshot.py URL OUT.png [--wait 5] [--size 1280x800]
Prints the page's <body> data-* attributes (its exposed state) as JSON; with --eval EXPR, also
the value of that JavaScript expression (JSON) on a second line. With --until EXPR, waits until
EXPR is truthy (polled every 0.2 s, at most --wait seconds) instead of a fixed wait. With
--init JS, runs JS in every new document before the page's own scripts (e.g. to record
Content-Security-Policy violations). Each `--then OUT2.png UNTIL [SELECTOR]` takes one more
screenshot in the same session: after the previous one (files are written whole: a test may wait
for one to exist, then change what the page shows), it clicks the centre of SELECTOR's element
with a real mouse event (when given), waits until UNTIL is truthy (at most --wait seconds) and
prints the data-* and --eval lines again.
"""
import argparse, base64, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request
import websocket  # PyPI websocket-client, installed into .tools/venv by scripts/deps.sh


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url"); ap.add_argument("out")
    ap.add_argument("--wait", type=float, default=5.0); ap.add_argument("--size", default="1280x800")
    ap.add_argument("--eval", default=None); ap.add_argument("--until", default=None)
    ap.add_argument("--init", default=None)
    ap.add_argument("--then", nargs="+", action="append", default=[], metavar="OUT UNTIL [SELECTOR]")
    a = ap.parse_args()
    for step in a.then:
        if len(step) not in (2, 3): ap.error("--then takes OUT UNTIL [SELECTOR]")
    w, h = (int(v) for v in a.size.split("x"))
    port = free_port()
    profile = tempfile.mkdtemp(prefix="kafkatorio-chromium-")
    proc = subprocess.Popen(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                             f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
                             f"--window-size={w},{h}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
                page = next(t for t in targets if t.get("type") == "page"); break
            except Exception:
                time.sleep(0.1)
        else:
            sys.exit("screenshot: chromium did not start")
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        seq = [0]
        def call(method, **params):
            seq[0] += 1
            ws.send(json.dumps({"id": seq[0], "method": method, "params": params}))
            while True:
                msg = json.loads(ws.recv())
                if msg.get("id") == seq[0]:
                    if "error" in msg: raise RuntimeError(msg["error"])
                    return msg.get("result", {})
        call("Emulation.setDeviceMetricsOverride", width=w, height=h, deviceScaleFactor=1, mobile=False)
        if a.init:
            call("Page.enable")
            call("Page.addScriptToEvaluateOnNewDocument", source=a.init)
        call("Page.navigate", url=a.url)
        def value(expr):
            return call("Runtime.evaluate", expression=expr, returnByValue=True)["result"].get("value")
        def wait_until(expr):
            if not expr:
                time.sleep(a.wait); return
            deadline = time.time() + a.wait
            while time.time() < deadline:
                if value("!!(" + expr + ")") is True: break
                time.sleep(0.2)
        def click(selector):
            box = value("(function () { var e = document.querySelector(" + json.dumps(selector) + ");"
                        " if (!e) return null; var r = e.getBoundingClientRect();"
                        " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
            if not box: sys.exit(f"screenshot: nothing to click at {selector}")
            for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
                call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
        def shoot(out):
            state = value("JSON.stringify(Object.assign({}, document.body.dataset))")
            extra = value(a.eval) if a.eval else None
            shot = call("Page.captureScreenshot", format="png")
            with open(out + ".part", "wb") as f: f.write(base64.b64decode(shot["data"]))
            os.replace(out + ".part", out)
            print(state)
            if a.eval: print(json.dumps(extra))
            sys.stdout.flush()
        wait_until(a.until)
        shoot(a.out)
        for step in a.then:
            if len(step) == 3: click(step[2])
            wait_until(step[1])
            shoot(step[0])
    finally:
        proc.terminate(); proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
