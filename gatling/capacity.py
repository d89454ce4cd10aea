#!/usr/bin/env python3
"""CPU sampling and the capacity report of a step-load run (used by gatling/capacity).

  capacity.py sample OUT.csv STACK_DIR COFFER_PID   # one line a second until killed
  capacity.py report STEPS.csv CPU.csv CHART.svg    # markdown table on stdout, chart to CHART.svg

Responses/s counts every answer within a step; answered/s leaves out 429 and 5xx (refusals).
CPU is counted in cores (1.0 = one core busy for the whole interval), per part: the Coffer JVM,
the Gatling JVM, the stack's Postgres primary and replica (postmaster and its backends), its Redis
nodes, and everything else on the machine (other users of the shared cores).
"""
import csv
import os
import signal
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")
PARTS = ["coffer", "gatling", "pg_primary", "pg_replica", "redis", "other"]


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.readline().strip())
    except (OSError, ValueError):
        return None


def processes():
    """pid -> (ppid, cpu ticks, command line) for every process."""
    result = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            result[int(name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), cmdline)
        except (OSError, ValueError, IndexError):
            continue
    return result


def machine_busy_ticks():
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def classify(procs, stack_dir, coffer_pid):
    primary = read_pid(os.path.join(stack_dir, "pg-primary", "postmaster.pid"))
    replica = read_pid(os.path.join(stack_dir, "pg-replica", "postmaster.pid"))
    redis = set()
    run_dir = os.path.join(stack_dir, "run")
    for name in os.listdir(run_dir) if os.path.isdir(run_dir) else []:
        if name.startswith("redis-") and name.endswith(".pid"):
            pid = read_pid(os.path.join(run_dir, name))
            if pid:
                redis.add(pid)
    ticks = dict.fromkeys(PARTS, 0)
    for pid, (ppid, cpu, cmdline) in procs.items():
        if pid == coffer_pid:
            part = "coffer"
        elif "io.gatling.app.Gatling" in cmdline:
            part = "gatling"
        elif pid == primary or ppid == primary and primary:
            part = "pg_primary"
        elif pid == replica or ppid == replica and replica:
            part = "pg_replica"
        elif pid in redis:
            part = "redis"
        else:
            continue
        ticks[part] += cpu
    return ticks


def sample(out, stack_dir, coffer_pid):
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    with open(out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch_ms"] + PARTS + ["machine_cores"])
        previous = None
        while running[0]:
            now = time.time()
            procs = processes()
            ticks = classify(procs, stack_dir, coffer_pid)
            busy, _ = machine_busy_ticks()
            if previous:
                then, old_ticks, old_busy = previous
                seconds = now - then
                cores = {p: max(0, ticks[p] - old_ticks[p]) / TICKS / seconds for p in PARTS}
                machine = (busy - old_busy) / TICKS / seconds
                cores["other"] = max(0.0, machine - sum(cores[p] for p in PARTS if p != "other"))
                writer.writerow([int(now * 1000)] + [f"{cores[p]:.2f}" for p in PARTS] + [f"{machine:.2f}"])
                f.flush()
            previous = (now, ticks, busy)
            time.sleep(1)


def report(steps_csv, cpu_csv, chart):
    with open(steps_csv) as f:
        steps = list(csv.DictReader(f))
    with open(cpu_csv) as f:
        cpu = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]
    print("| step | offered (visits/s) | responses/s | answered/s | p50 ms | p95 ms | p99 ms | max ms "
          "| 429/5xx | Coffer JVM | Postgres primary | replica | Redis | Gatling | other | machine |")
    print("|" + "---|" * 16)
    for step in steps:
        start, end = int(step["start_epoch_ms"]), int(step["end_epoch_ms"])
        rows = [r for r in cpu if start <= r["epoch_ms"] <= end]
        mean = {k: (sum(r[k] for r in rows) / len(rows) if rows else float("nan"))
                for k in PARTS + ["machine_cores"]}
        step["cpu"] = mean
        seconds = (end - start) / 1000
        answered = (int(step["responses"]) - int(step["refused"])) / seconds
        print(f"| {step['step']} | {step['users_per_s']} | {float(step['throughput_rps']):.0f} | {answered:.0f} | "
              f"{step['p50_ms']} | {step['p95_ms']} | {step['p99_ms']} | {step['max_ms']} | "
              f"{step['refused']} | " + " | ".join(f"{mean[p]:.2f}" for p in PARTS)
              + f" | {mean['machine_cores']:.2f} |")
    write_chart(steps, chart)


def write_chart(steps, path):
    """Responses, answered requests and p50/p99 against offered load, as a plain SVG (no plotting library here)."""
    width, height, left, right, top, bottom = 760, 420, 70, 70, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    offered = [float(s["users_per_s"]) for s in steps]
    rps = [float(s["throughput_rps"]) for s in steps]
    answered = [(int(s["responses"]) - int(s["refused"])) * 1000
                / (int(s["end_epoch_ms"]) - int(s["start_epoch_ms"])) for s in steps]
    p50 = [float(s["p50_ms"]) for s in steps]
    p99 = [float(s["p99_ms"]) for s in steps]
    x_max = max(offered) * 1.05
    rps_max = max(rps) * 1.15 or 1
    ms_max = max(p99) * 1.15 or 1

    def x(v):
        return left + v / x_max * plot_w

    def y(v, top_value):
        return top + plot_h - v / top_value * plot_h

    def line(values, top_value, colour, label_y, label, dash=""):
        points = " ".join(f"{x(o):.1f},{y(v, top_value):.1f}" for o, v in zip(offered, values))
        dots = "".join(f'<circle cx="{x(o):.1f}" cy="{y(v, top_value):.1f}" r="3" fill="{colour}"/>'
                       for o, v in zip(offered, values))
        legend = (f'<line x1="{left + 10}" y1="{label_y}" x2="{left + 40}" y2="{label_y}" stroke="{colour}" '
                  f'stroke-width="2" stroke-dasharray="{dash}"/><text x="{left + 46}" y="{label_y + 4}">{label}</text>')
        return (f'<polyline fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}" '
                f'points="{points}"/>{dots}{legend}')

    ticks = []
    for i in range(6):
        fraction = i / 5
        ticks.append(f'<line x1="{left}" y1="{top + plot_h * (1 - fraction):.1f}" x2="{left + plot_w}" '
                     f'y2="{top + plot_h * (1 - fraction):.1f}" stroke="#ddd"/>')
        ticks.append(f'<text x="{left - 8}" y="{top + plot_h * (1 - fraction) + 4:.1f}" text-anchor="end">'
                     f'{rps_max * fraction:.0f}</text>')
        ticks.append(f'<text x="{left + plot_w + 8}" y="{top + plot_h * (1 - fraction) + 4:.1f}">'
                     f'{ms_max * fraction:.0f}</text>')
    for o in offered:
        ticks.append(f'<text x="{x(o):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{o:.0f}</text>')
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">MoneyFlow step load: throughput and latency per step</text>
{''.join(ticks)}
<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>
<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>
<line x1="{left + plot_w}" y1="{top}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>
<text x="{left + plot_w / 2}" y="{height - 15}" text-anchor="middle">offered load (new visits per second)</text>
<text transform="translate(18,{top + plot_h / 2}) rotate(-90)" text-anchor="middle">throughput (requests/s)</text>
<text transform="translate({width - 14},{top + plot_h / 2}) rotate(90)" text-anchor="middle">response time (ms)</text>
{line(rps, rps_max, "#1f77b4", top + 12, "responses (req/s, left)")}
{line(answered, rps_max, "#9467bd", top + 30, "answered, no 429/5xx (req/s, left)")}
{line(p50, ms_max, "#2ca02c", top + 48, "p50 (ms, right)", "6,3")}
{line(p99, ms_max, "#d62728", top + 66, "p99 (ms, right)", "6,3")}
</svg>
"""
    with open(path, "w") as f:
        f.write(svg)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "sample":
        sample(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 5 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
