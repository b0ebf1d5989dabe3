"""Load test (loopback only, bounded): N concurrent simulated calls through the local stack.

    .venv/bin/python tests/bench/bench_load.py [--calls 20]

Prints calls placed, SMS received, lost, webhook latency p50/p99 per route, recording-to-SMS
time p50/p99 and total wall time. Exits 1 if any call did not get its SMS.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from humitout.accounts import sign_up
from humitout.runtime import services
from humitout_infra.local.cli import SAMPLE_HUM
from humitout_infra.local.stack import APP_NUMBER, LocalStack


def percentile(values, q) -> float:
    return float(np.percentile(np.asarray(values, float), q)) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for all SMS")
    args = parser.parse_args(argv)
    hum = SAMPLE_HUM.read_bytes()
    with tempfile.TemporaryDirectory() as state, LocalStack(state_dir=Path(state)) as stack:
        svc = services()
        callers = []
        for i in range(args.calls):
            phone = "+1555" + str(uuid.uuid4().int)[:7]
            callers.append((phone, sign_up(svc, f"load{i}-{uuid.uuid4().hex[:6]}@example.com", phone).pin))
        for phone, _ in callers:
            stack.twilio.wait_for_sms(phone, 1, 10)
        stack.gateway.latencies.clear()
        print(f"placing {args.calls} concurrent calls ...", flush=True)
        started = time.monotonic()

        def one_call(phone_pin):
            phone, pin = phone_pin
            call = stack.twilio.place_call(phone, APP_NUMBER, [pin, ""], hum)
            try:
                sms = stack.twilio.wait_for_sms(phone, 2, args.timeout)[-1]
            except TimeoutError:
                return call, None
            return call, time.monotonic() - call.recording_done_at if "/s/" in sms.body else None

        with ThreadPoolExecutor(max_workers=args.calls) as pool:
            results = list(pool.map(one_call, callers))
        wall = time.monotonic() - started
        delivered = [t for _, t in results if t is not None]
        by_route: dict[str, list[float]] = {}
        for route, seconds in stack.gateway.latencies:
            by_route.setdefault(route, []).append(seconds * 1000)
        all_ms = [ms for values in by_route.values() for ms in values]
        print(f"calls placed         {args.calls}")
        print(f"SMS with a link      {len(delivered)}")
        print(f"lost                 {args.calls - len(delivered)}")
        print(f"webhook latency      p50 {percentile(all_ms, 50):7.1f} ms   p99 {percentile(all_ms, 99):7.1f} ms"
              f"   ({len(all_ms)} requests)")
        for route, values in sorted(by_route.items()):
            print(f"  {route:<24} p50 {percentile(values, 50):7.1f} ms   p99 {percentile(values, 99):7.1f} ms"
                  f"   n={len(values)}")
        print(f"recording -> SMS     p50 {percentile(delivered, 50):7.1f} s    p99 {percentile(delivered, 99):7.1f} s")
        print(f"total wall time      {wall:.1f} s")
        return 0 if len(delivered) == args.calls else 1


if __name__ == "__main__":
    sys.exit(main())
