"""Tests of the baseline format of ratchet.py: python3 conformance/ratchet_test.py"""

import os
import tempfile
import unittest

import ratchet


class BaselineFormat(unittest.TestCase):
    ids = [
        'Feature.Query.QuerySpec > Filtering response > matches with equality',
        'Feature.Query.PlanSpec.spec > read table/view plan > outputs the plan for application/json ',
        ' leading space',
        '"starts with a quote',
        'a "quote" inside',
        'back\\slash',
        'new\nline',
        'carriage\rreturn',
        'tab\there',
        'unicode: تست ü \u2028 separator',
        '#not a comment',
    ]

    def test_round_trip(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'baseline.txt')
            ratchet.write_baseline(path, set(self.ids))
            self.assertEqual(ratchet.read_baseline(path), set(self.ids))
            with open(path, encoding='utf-8', newline='') as f:
                text = f.read()
            self.assertEqual(text.count('\n'), len(self.ids), 'one line per id')
            lines = text.split('\n')[:-1]
            self.assertEqual(lines, [ratchet.encode_id(i) for i in sorted(self.ids)], 'sorted by id')

    def test_plain_ids_stay_plain(self):
        for i in ['a > b > c', 'a "quote" inside', 'back\\slash', '#not a comment', 'تست']:
            self.assertEqual(ratchet.encode_id(i), i)
        for i in [' x', 'x ', '"x', 'x\ny', '', 'x\u2028']:
            self.assertTrue(ratchet.encode_id(i).startswith('"'), repr(i))

    def test_missing_file_is_empty(self):
        self.assertEqual(ratchet.read_baseline('/nonexistent/baseline.txt'), set())

    def test_duplicates_and_crlf_refused(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'b.txt')
            for text in ['a\na\n', 'a\r\nb\r\n']:
                with open(path, 'w', newline='') as f:
                    f.write(text)
                with self.assertRaises(SystemExit):
                    ratchet.read_baseline(path)

    def test_committed_baseline_reads(self):
        ids = ratchet.read_baseline(ratchet.DEFAULT_BASELINE)
        with open(ratchet.DEFAULT_BASELINE, encoding='utf-8', newline='') as f:
            self.assertEqual(f.read(), ''.join(ratchet.encode_id(i) + '\n' for i in sorted(ids)),
                             'baseline.txt is not in canonical form (sorted, encoded); rewrite it with --update')


if __name__ == '__main__':
    unittest.main()
