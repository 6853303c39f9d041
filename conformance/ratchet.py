#!/usr/bin/env python3
"""Conformance ratchet: restgres may pass more PostgREST conformance cases
over time, never fewer.

    python3 conformance/ratchet.py --server bin/restgres            # check
    python3 conformance/ratchet.py --server bin/restgres --update   # rewrite the baseline

It runs the shared suite (../shared/conformance/run.py, or --suite DIR) once
against the server, with its usual output (a table per spec module, the
failures, and "N passed, M failed"), then compares the cases that passed with
conformance/baseline.txt:

* a baseline case that did not pass fails the check (exit 1), with the
  reason the suite gave. A case the suite skipped (it needs PostGIS or
  pg-safeupdate, which this machine lacks) is reported but not a failure:
  skipping asserts nothing either way, and CI installs PostGIS;
* a case that passed and is not in the baseline is listed as newly passing;
  --update adds it (and drops the cases that no longer pass: use --update
  only when that is what you mean, and say so in the commit).

--runs N runs the suite N times and counts a case as passing only when it
passed every time: use it with --update so that a flaky case never enters
the baseline.

The baseline has one case id per line, sorted, written as the id itself.
Case ids may contain any character, so an id that would not survive as a
plain line (one that starts or ends with white space, contains a control
character, or starts with a double quote) is written as a JSON string
literal instead, e.g. "Feature.X > outputs the plan for application/json ".
Editors that trim trailing white space cannot damage such a line.

Python 3 standard library only, like the suite itself: anyone who can run
the suite can run this, with nothing to build or install.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_BASELINE = os.path.join(HERE, 'baseline.txt')
DEFAULT_SUITE = os.path.join(REPO, '..', 'shared', 'conformance')


def encode_id(case_id):
    """One baseline line (without its newline) for a case id."""
    plain = (case_id != ''
             and case_id == case_id.strip()
             and not case_id.startswith('"')
             and not any(ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 or c in '\u2028\u2029\ufeff'
                         for c in case_id))
    return case_id if plain else json.dumps(case_id, ensure_ascii=True)


def decode_line(line):
    """The case id a baseline line (without its newline) stands for."""
    if line.startswith('"'):
        value = json.loads(line)
        if not isinstance(value, str):
            raise ValueError(f'not a JSON string: {line!r}')
        return value
    return line


def read_baseline(path):
    """The set of case ids in the baseline file; a missing file is empty."""
    try:
        with open(path, encoding='utf-8', newline='') as f:
            text = f.read()
    except FileNotFoundError:
        return set()
    if text.endswith('\n'):
        text = text[:-1]
    ids = set()
    for n, line in enumerate(text.split('\n') if text else [], 1):
        if line.endswith('\r'):
            raise SystemExit(f'{path}:{n}: line ends with CR: the file must use LF line ends')
        try:
            case_id = decode_line(line)
        except ValueError as e:
            raise SystemExit(f'{path}:{n}: {e}')
        if case_id in ids:
            raise SystemExit(f'{path}:{n}: duplicate case id {case_id!r}')
        ids.add(case_id)
    return ids


def write_baseline(path, ids):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        for case_id in sorted(ids):
            f.write(encode_id(case_id) + '\n')


def run_suite(args, json_out):
    """Runs the suite once, its output going straight to ours; returns the results."""
    cmd = [sys.executable, os.path.join(args.suite, 'run.py'), '--server', args.server,
           '--json-out', json_out, '--exit-zero']
    if os.environ.get('PG_BIN'):
        cmd += ['--pg-bin', os.environ['PG_BIN']]
    cmd += args.suite_args
    print('$ ' + ' '.join(cmd), flush=True)
    rc = subprocess.run(cmd).returncode
    # With --exit-zero the suite exits non-zero only when it could not run
    # at all (no PostgreSQL, fixtures that did not load, a bad argument).
    if rc != 0:
        raise SystemExit(f'ratchet: the conformance suite did not run (exit status {rc}); see its output above')
    try:
        with open(json_out, encoding='utf-8') as f:
            return json.load(f)['results']
    except (OSError, ValueError, KeyError) as e:
        raise SystemExit(f'ratchet: the suite wrote no usable results to {json_out}: {e}')


def main():
    ap = argparse.ArgumentParser(description='Fail when a conformance case in the baseline no longer passes.')
    ap.add_argument('--server', required=True, help='the restgres binary (or command) to test')
    ap.add_argument('--suite', default=DEFAULT_SUITE,
                    help='folder of the conformance suite (default: ../shared/conformance from the repo)')
    ap.add_argument('--baseline', default=DEFAULT_BASELINE, help='default: %(default)s')
    ap.add_argument('--update', action='store_true',
                    help='rewrite the baseline with exactly the cases that passed')
    ap.add_argument('--runs', type=int, default=1,
                    help='run the suite this many times; a case passes only if it passed in every run')
    ap.add_argument('suite_args', nargs='*',
                    help='more arguments for run.py, after "--" (e.g. -- --module RpcSpec; '
                         'not with --update, which needs the whole suite)')
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.suite, 'run.py')):
        raise SystemExit(f'ratchet: no conformance suite at {args.suite} (run.py missing)')
    if args.update and args.suite_args:
        raise SystemExit('ratchet: --update needs a run of the whole suite; drop the extra run.py arguments')
    if args.runs < 1:
        raise SystemExit('ratchet: --runs must be at least 1')

    baseline = read_baseline(args.baseline)
    status = {}     # case id -> status of its worst run (failed > skipped > passed)
    detail = {}     # case id -> the suite's messages or skip reason, from that run
    rank = {'passed': 0, 'skipped': 1, 'failed': 2}
    with tempfile.TemporaryDirectory(prefix='restgres-ratchet-') as tmp:
        for i in range(args.runs):
            if args.runs > 1:
                print(f'\n=== conformance run {i + 1} of {args.runs}', flush=True)
            results = run_suite(args, os.path.join(tmp, f'run{i}.json'))
            seen = set()
            for r in results:
                cid, st = r['id'], r['status']
                seen.add(cid)
                if i > 0 and cid not in status:
                    status[cid], detail[cid] = 'failed', ['not run in the first run']
                elif i == 0 or rank[st] > rank[status[cid]]:
                    status[cid] = st
                    detail[cid] = r.get('messages') or ([r['reason']] if r.get('reason') else [])
            # a case missing from a later run did not pass in it
            for cid in set(status) - seen:
                status[cid] = 'failed'
                detail[cid] = ['not run']

    passed = {cid for cid, st in status.items() if st == 'passed'}
    rel = os.path.relpath(args.baseline, os.getcwd())
    print()
    print(f'=== conformance ratchet ({rel}: {len(baseline)} cases)')
    if args.runs > 1:
        print(f'{len(passed)} cases passed in all {args.runs} runs')

    if args.update:
        gone = sorted(baseline - passed)
        new = sorted(passed - baseline)
        write_baseline(args.baseline, passed)
        for cid in gone:
            print(f'  - {cid}   ({status.get(cid, "not in the suite")})')
        for cid in new:
            print(f'  + {cid}')
        print(f'rewrote {rel}: {len(passed)} cases ({len(new)} added, {len(gone)} removed)')
        return 0

    if args.suite_args:
        # A partial run says nothing about the cases it did not select.
        baseline = {cid for cid in baseline if cid in status}
        print(f'partial run: checking the {len(baseline)} baseline cases it ran')
    regressed = sorted(cid for cid in baseline if status.get(cid) in ('failed', None))
    skipped = sorted(cid for cid in baseline if status.get(cid) == 'skipped')
    new = sorted(passed - baseline)

    if skipped:
        print(f'\nWARNING: {len(skipped)} baseline cases were skipped, so not checked:')
        for cid in skipped:
            print(f'  ? {cid}   ({"; ".join(detail[cid])})')
    if new:
        print(f'\nnewly passing, not in the baseline yet ({len(new)}):')
        for cid in new:
            print(f'  + {cid}')
        print('add them: rerun this with --update --runs 3, and commit the baseline')
    if regressed:
        print(f'\nFAIL: {len(regressed)} baseline cases no longer pass:')
        for cid in regressed:
            why = detail.get(cid) or ['not in the suite any more (renamed or removed?)']
            print(f'  - {cid}')
            print('      ' + '\n      '.join(why[0].splitlines()[:3]) + (' ...' if len(why) > 1 else ''))
        print('(the full report of each failed case is under FAILURES above)')
        return 1
    print(f'\nOK: all {len(baseline) - len(skipped)} checked baseline cases pass'
          + (f'; {len(new)} newly passing' if new else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
