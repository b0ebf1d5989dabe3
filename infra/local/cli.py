"""``humitout``: run the whole product on this machine.

    humitout demo [--serve]                         sign up a demo user, call with the sample hum
                                                    (--serve: then keep serving the web app)
    humitout call FILE.wav --pin 123456 [--style jazz] [--phone +1555...]
    humitout users create --email a@b.c --phone +15551234567
    humitout executions [NAME]                      state-by-state history of past runs
    humitout links revoke TOKEN                     kill a share link
    humitout serve [--port 8080]                    keep the local stack up for your own webhooks (+ sweeper)
"""
from __future__ import annotations

import argparse
import html
import re
import sys
import time
import urllib.parse
import warnings
from pathlib import Path

import requests
from humitout_infra.local import history
from humitout_infra.topology import REPO_ROOT

SAMPLE_HUM = REPO_ROOT / "samples" / "hum.wav"
DEMO_EMAIL = "demo@humitout.local"
DEMO_PHONE = "+15551230000"
T0 = time.monotonic()


def say(msg: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def _stack(args):
    from humitout_infra.local.stack import LocalStack

    stack = LocalStack(state_dir=args.state_dir, gateway_port=getattr(args, "port", 0), progress=say)
    say("starting the local stack (postgres, moto: S3/SNS/Step Functions, gateway, Twilio stand-in)")
    return stack.start()


def _sign_up(email: str, phone: str, reset: bool):
    from humitout.accounts import sign_up
    from humitout.runtime import services

    return sign_up(services(), email, phone, reset_existing=reset)


def _watch_lambdas(stack) -> None:
    def report(name: str, seconds: float, ok: bool) -> None:
        if name in {"voice", "sms", "links"}:
            return
        say(f"  {'done' if ok else 'FAILED'}: {name} ({seconds:.2f} s)")

    stack.lambdas.on_invoke = report


def _download(page_url: str, out_dir: Path) -> list[Path]:
    """Open the share page like a phone would and download every file it offers."""
    page = requests.get(page_url, timeout=30)
    page.raise_for_status()
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    for href in re.findall(r'<a href="([^"]+)"[^>]* download>', page.text):
        url = html.unescape(href)
        resp = requests.get(url, timeout=60)
        resp.raise_for_status()
        # keep the package's own layout (stems/…) from the object key: …/v<version>/<path>
        key_path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
        relative = re.search(r"/v\d+/(.+)$", key_path)
        path = out_dir / (relative.group(1) if relative else Path(key_path).name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(resp.content)
        saved.append(path)
    return saved


def run_call(stack, phone: str, pin: str, audio: bytes, style: str | None, out_root: Path) -> int:
    """Place one call, wait for the execution and the SMS, download the package."""
    from humitout.models import Style

    digit = ""
    if style:
        chosen = Style.from_text(style)
        if chosen is None:
            say(f"unknown style {style!r}; choose one of {', '.join(s.value for s in Style)}")
            return 2
        digit = str(list(Style).index(chosen) + 1)
    _watch_lambdas(stack)
    before = len([m for m in stack.twilio.messages if m.to == phone])
    say(f"calling {stack.gateway.url} from {phone}: PIN, style {style or '(choose for me)'}, "
        f"{len(audio) / 1000:.0f} kB recording")
    call = stack.twilio.place_call(phone, "+15005550006", [pin, digit], audio)
    for line in call.said:
        say(f"  phone: {line}")
    if call.recording_sid is None:
        say("the call ended without a recording")
        return 1
    say(f"recording {call.recording_sid} handed over; Step Functions execution started")
    desc = stack.wait_for_execution(call.recording_sid)
    sms = stack.twilio.wait_for_sms(phone, before + 1, timeout_s=60)[-1]
    elapsed = time.monotonic() - call.recording_done_at
    events = stack.execution_history(call.recording_sid)
    path = history.save(stack.state_dir / "executions", call.recording_sid, desc, events)
    print(history.format_table(call.recording_sid, desc["status"], history.summarise(events)))
    say(f"SMS to {phone} ({elapsed:.1f} s after the recording ended):")
    print(f"\n    {sms.body}\n")
    link = re.search(r"https?://\S+/s/\S+", sms.body)
    if not link:
        say(f"no link in the SMS (execution {desc['status']}); history saved to {path}")
        return 1 if desc["status"] != "FAILED" else 3
    out_dir = out_root / call.recording_sid
    files = _download(link.group(0), out_dir)
    say(f"opened {link.group(0)} and downloaded {len(files)} files to {out_dir}:")
    for f in sorted(files):
        print(f"    {f.stat().st_size / 1e6:8.2f} MB  {f}")
    print(f"\n    Drag {out_dir / 'session.mid'} or the stems into GarageBand, Logic or Ableton.")
    return 0


def _forget_old_demo_hums() -> None:
    """The local S3 lives in memory, so hums of earlier demo runs have lost their files: drop
    them (with their tracks and links) so "My tracks" shows only what this stack can play."""
    from humitout.runtime import services

    svc = services()
    user = svc.db.user_for_phone(DEMO_PHONE)
    if user is not None:
        with svc.db.tx() as cur:
            cur.execute("DELETE FROM sessions WHERE user_id = %s", (user["id"],))


def _print_web_sign_in(stack, phone: str, pin: str) -> None:
    say(f"My tracks (web app): {stack.gateway.url}/app  sign in with {phone} and PIN {pin}")


def _wait_for_ctrl_c() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def cmd_demo(args) -> int:
    audio = Path(args.file or SAMPLE_HUM).read_bytes()
    if args.serve and not args.port:
        args.port = 8080
    stack = _stack(args)
    try:
        _forget_old_demo_hums()
        account = _sign_up(DEMO_EMAIL, DEMO_PHONE, reset=True)
        say(f"demo user {DEMO_PHONE} signed up; the PIN was texted: "
            f"{stack.twilio.wait_for_sms(DEMO_PHONE, 1, 5)[-1].body!r}")
        status = run_call(stack, DEMO_PHONE, account.pin, audio, args.style, args.out)
        _print_web_sign_in(stack, DEMO_PHONE, account.pin)
        if args.serve:
            say("serving until Ctrl-C")
            _wait_for_ctrl_c()
        else:
            print("    (this stack stops now; `humitout demo --serve` keeps it up on port 8080 to browse the track)")
        return status
    finally:
        stack.stop()


def cmd_call(args) -> int:
    audio = Path(args.file).read_bytes()
    stack = _stack(args)
    try:
        return run_call(stack, args.phone, args.pin, audio, args.style, args.out)
    finally:
        stack.stop()


def cmd_users_create(args) -> int:
    from humitout.accounts import SignUpError

    stack = _stack(args)
    try:
        account = _sign_up(args.email, args.phone, reset=args.reset)
        sms = stack.twilio.wait_for_sms(args.phone, 1, 5)[-1]
        print(f"user {account.user_id} for {args.phone}; PIN {account.pin} (texted: {sms.body!r})")
        return 0
    except SignUpError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        stack.stop()


def cmd_executions(args) -> int:
    folder = args.state_dir / "executions"
    paths = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime) if folder.exists() else []
    if args.name:
        paths = [p for p in paths if p.stem == args.name]
        if not paths:
            print(f"no execution named {args.name} in {folder}", file=sys.stderr)
            return 1
        desc, events = history.load(paths[0])
        print(history.format_table(args.name, desc["status"], history.summarise(events)))
        return 0
    if not paths:
        print(f"no executions yet (run `humitout demo`); looked in {folder}")
        return 0
    for p in paths:
        desc, _ = history.load(p)
        print(f"{p.stem}  {desc['status']:<10} {desc.get('startDate', '')}")
    return 0


def cmd_links_revoke(args) -> int:
    from humitout.runtime import services

    stack = _stack(args)
    try:
        token = args.token.rstrip("/").rsplit("/", 1)[-1]
        if services().db.revoke_share_link(token):
            print(f"revoked {token}: the link now answers 404")
            return 0
        print(f"no live link {token}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


def cmd_serve(args) -> int:
    stack = _stack(args)
    stack.start_schedules()
    print(f"gateway {stack.gateway.url} (point Twilio-style webhooks here); the sweeper runs every 5 minutes;"
          " Ctrl-C to stop")
    print(f"My tracks (web app): {stack.gateway.url}/app  sign in with a number and PIN from "
          "`humitout users create` (or run `humitout demo --serve` for a demo user with a track)")
    try:
        _wait_for_ctrl_c()
        return 0
    finally:
        stack.stop()


def build_parser() -> argparse.ArgumentParser:
    from humitout_infra.local.stack import default_state_dir

    parser = argparse.ArgumentParser(prog="humitout", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state-dir", type=Path, default=default_state_dir(),
                        help="where the embedded Postgres and execution histories live (default .state)")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="sign up a demo user and call with the sample hum")
    demo.add_argument("--file", help="another recording to hum (WAV/MP3)")
    demo.add_argument("--style", help="pop, rock, jazz, electronic, acoustic, hip-hop (default: chosen for you)")
    demo.add_argument("--out", type=Path, default=Path("out"), help="where downloads go (default ./out)")
    demo.add_argument("--serve", action="store_true", help="keep the stack up afterwards to browse My tracks")
    demo.add_argument("--port", type=int, default=0, help="gateway port (default: any; 8080 with --serve)")
    demo.set_defaults(func=cmd_demo)

    call = sub.add_parser("call", help="call with your own recording")
    call.add_argument("file")
    call.add_argument("--pin", required=True)
    call.add_argument("--phone", default=DEMO_PHONE, help=f"caller number (default {DEMO_PHONE})")
    call.add_argument("--style")
    call.add_argument("--out", type=Path, default=Path("out"))
    call.set_defaults(func=cmd_call)

    users = sub.add_parser("users", help="manage accounts").add_subparsers(dest="users_command", required=True)
    create = users.add_parser("create", help="sign up: random PIN, texted once")
    create.add_argument("--email", required=True)
    create.add_argument("--phone", required=True, help="E.164, e.g. +15551234567")
    create.add_argument("--reset", action="store_true", help="give an existing number a new PIN")
    create.set_defaults(func=cmd_users_create)

    links = sub.add_parser("links", help="share links").add_subparsers(dest="links_command", required=True)
    revoke = links.add_parser("revoke", help="revoke a share link (token or the whole URL)")
    revoke.add_argument("token")
    revoke.set_defaults(func=cmd_links_revoke)

    executions = sub.add_parser("executions", help="state-by-state history of past executions")
    executions.add_argument("name", nargs="?")
    executions.set_defaults(func=cmd_executions)

    serve = sub.add_parser("serve", help="run the local stack until Ctrl-C")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
