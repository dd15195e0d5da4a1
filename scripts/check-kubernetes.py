#!/usr/bin/env python3
"""Checks deploy/kubernetes/kafkatorio.yaml for what deploy/README.md promises (make test runs it
with the venv's Python, which has PyYAML; kubectl is not needed). Schema-light: it checks only the
fields below, and fails naming each one that is missing or wrong.

- every Deployment's pod: runAsNonRoot with a fixed non-zero runAsUser/runAsGroup, seccomp
  RuntimeDefault, no service-account token; every container: allowPrivilegeEscalation false,
  readOnlyRootFilesystem, capabilities drop ALL, cpu and memory requests and limits, an image with a
  pinned tag (not `latest`, not untagged), every writable mount an emptyDir (and /tmp one of them),
  a `metrics` port that METRICS_PORT names and METRICS_HOST opens;
- NetworkPolicies: a default deny (Ingress and Egress, no rule) selecting every pod; egress only to
  TCP 9092 and port 53; ingress to the gateway only on its HTTP port; ingress to `metrics` only from
  a namespaceSelector (the monitoring namespace); no other ingress rule;
- Services: every targetPort names a port of a selected container; a Service selecting the gateway
  on its `http` port never also exposes its `metrics` port, and one Service exposes the metrics.

Usage: check-kubernetes.py [manifest]   (exit status 1 and one line per problem on failure)
"""
import sys
import yaml

PART_OF = ("app.kubernetes.io/part-of", "kafkatorio")


def labels_match(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def check(docs):
    problems = []
    bad = problems.append
    deployments = [d for d in docs if d.get("kind") == "Deployment"]
    policies = [d for d in docs if d.get("kind") == "NetworkPolicy"]
    services = [d for d in docs if d.get("kind") == "Service"]
    if not deployments:
        bad("no Deployment")
    pods = {}  # name -> (labels, containers)
    for d in deployments:
        name = d["metadata"]["name"]
        template = d.get("spec", {}).get("template", {})
        labels = template.get("metadata", {}).get("labels", {})
        spec = template.get("spec", {})
        pods[name] = (labels, spec.get("containers", []))
        if labels.get(PART_OF[0]) != PART_OF[1]:
            bad(f"{name}: pod label {PART_OF[0]}: {PART_OF[1]} missing")
        if spec.get("automountServiceAccountToken") is not False:
            bad(f"{name}: automountServiceAccountToken is not false")
        psc = spec.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True:
            bad(f"{name}: securityContext.runAsNonRoot is not true")
        for key in ("runAsUser", "runAsGroup"):
            if not isinstance(psc.get(key), int) or psc.get(key) <= 0:
                bad(f"{name}: securityContext.{key} is not a fixed non-root id")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            bad(f"{name}: securityContext.seccompProfile is not RuntimeDefault")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        if not spec.get("containers"):
            bad(f"{name}: no container")
        for c in spec.get("containers", []):
            where = f"{name}/{c.get('name')}"
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False:
                bad(f"{where}: allowPrivilegeEscalation is not false")
            if sc.get("readOnlyRootFilesystem") is not True:
                bad(f"{where}: readOnlyRootFilesystem is not true")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                bad(f"{where}: capabilities do not drop ALL")
            if sc.get("privileged"):
                bad(f"{where}: privileged")
            if sc.get("capabilities", {}).get("add"):
                bad(f"{where}: adds capabilities")
            res = c.get("resources", {})
            for kind in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in res.get(kind, {}):
                        bad(f"{where}: no resources.{kind}.{r}")
            image = c.get("image", "")
            tag = image.split("@")[0].rsplit("/", 1)[-1].partition(":")[2]
            if not tag or tag == "latest":
                bad(f"{where}: image '{image}' has no pinned tag")
            mounts = c.get("volumeMounts", [])
            for m in mounts:
                v = volumes.get(m["name"])
                if v is None:
                    bad(f"{where}: mount of unknown volume {m['name']}")
                elif not m.get("readOnly") and "emptyDir" not in v:
                    bad(f"{where}: writable mount {m['mountPath']} is not an emptyDir")
            if not any(m.get("mountPath") == "/tmp" and "emptyDir" in volumes.get(m["name"], {}) for m in mounts):
                bad(f"{where}: no emptyDir at /tmp")
            ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            if "metrics" not in ports:
                bad(f"{where}: no port named metrics")
            elif env.get("METRICS_PORT") != str(ports["metrics"]):
                bad(f"{where}: METRICS_PORT is not the metrics port {ports['metrics']}")
            elif env.get("METRICS_HOST") != "0.0.0.0":
                bad(f"{where}: METRICS_HOST does not open the metrics port to the pod network")
            if "http" in ports and ports.get("http") == ports.get("metrics"):
                bad(f"{where}: metrics on the HTTP port")

    # NetworkPolicies.
    def selected(policy):
        sel = policy.get("spec", {}).get("podSelector", {})
        return [n for n, (labels, _) in pods.items() if labels_match(sel.get("matchLabels"), labels)]

    deny = [p for p in policies
            if set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    if not deny:
        bad("no default-deny NetworkPolicy (Ingress and Egress, no rules)")
    elif set().union(*(set(selected(p)) for p in deny)) != set(pods):
        bad("the default-deny NetworkPolicy does not select every pod")
    for p in policies:
        pname = p["metadata"]["name"]
        for rule in p["spec"].get("egress", []):
            for port in rule.get("ports", []) or [{"port": None}]:
                if port.get("port") not in (9092, 53):
                    bad(f"NetworkPolicy {pname}: egress to port {port.get('port')} (only Kafka 9092 and DNS 53)")
            if not rule.get("to"):
                bad(f"NetworkPolicy {pname}: egress rule without `to`")
        for rule in p["spec"].get("ingress", []):
            ports = [q.get("port") for q in rule.get("ports", [])]
            if not ports:
                bad(f"NetworkPolicy {pname}: ingress rule on every port")
            for port in ports:
                if port == "metrics":
                    froms = rule.get("from", [])
                    if not froms or not all("namespaceSelector" in f for f in froms):
                        bad(f"NetworkPolicy {pname}: metrics ingress not limited to a monitoring namespace")
                elif port == "http":
                    if any(n != "map-gateway" for n in selected(p)):
                        bad(f"NetworkPolicy {pname}: http ingress to {selected(p)}")
                else:
                    bad(f"NetworkPolicy {pname}: ingress on port {port}")
    if not any(q.get("port") == "http" for p in policies if "map-gateway" in selected(p)
               for r in p["spec"].get("ingress", []) for q in r.get("ports", [])):
        bad("no NetworkPolicy admits the gateway's http port")
    if not any(q.get("port") == "metrics" for p in policies for r in p["spec"].get("ingress", [])
               for q in r.get("ports", [])):
        bad("no NetworkPolicy admits the monitoring namespace to the metrics ports")

    # Services.
    metrics_service = False
    for s in services:
        sname = s["metadata"]["name"]
        sel = s.get("spec", {}).get("selector", {})
        targets = [p.get("targetPort") for p in s["spec"].get("ports", [])]
        chosen = [n for n, (labels, _) in pods.items() if labels_match(sel, labels)]
        if not chosen:
            bad(f"Service {sname} selects no pod")
        for n in chosen:
            names = {p.get("name") for c in pods[n][1] for p in c.get("ports", [])}
            numbers = {p.get("containerPort") for c in pods[n][1] for p in c.get("ports", [])}
            for t in targets:
                if t not in names and t not in numbers:
                    bad(f"Service {sname}: targetPort {t} is no port of {n}")
            metric_numbers = {p.get("containerPort") for c in pods[n][1] for p in c.get("ports", []) if p.get("name") == "metrics"}
            exposes_metrics = any(t == "metrics" or t in metric_numbers for t in targets)
            if "http" in targets and exposes_metrics:
                bad(f"Service {sname}: the public http Service also exposes the metrics port of {n}")
            if exposes_metrics and "http" not in targets:
                metrics_service = True
    if not any("http" in [p.get("targetPort") for p in s["spec"].get("ports", [])] for s in services):
        bad("no Service for the gateway's http port")
    if not metrics_service:
        bad("no Service for the metrics ports")
    return problems


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "deploy/kubernetes/kafkatorio.yaml"
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    problems = check(docs)
    for p in problems:
        print(f"kubernetes: {path}: {p}", file=sys.stderr)
    if problems:
        print("kubernetes: manifest check FAILED", file=sys.stderr)
        return 1
    kinds = sorted({d["kind"] for d in docs})
    print(f"kubernetes: {path} ok ({len(docs)} objects: {', '.join(kinds)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
