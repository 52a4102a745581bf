"""Rows as slices of shared frames, and combined back in one step."""

from __future__ import annotations

import pickle
import shutil

import pandas as pd

from ingest.files import discover
from ingest.parse import parse_chunk_frame
from ingest.rowsets import attach_rows, combined_rows, ordered_rows
from ingest.schema import REPORT_ROW_COLUMNS


def test_combined_rows_equals_a_plain_concat(tmp_path, samples_dir):
    for sample in samples_dir.glob("THADS_*"):
        shutil.copy(sample, tmp_path)
    subs, spans, frame = parse_chunk_frame(discover(tmp_path).candidates)
    attach_rows(subs, spans, frame, reindex=False)
    expected = pd.concat([s.rows for s in subs], ignore_index=True)
    pd.testing.assert_frame_equal(combined_rows(subs), expected)
    # order follows the submissions given, not the shared frame
    backwards = list(reversed(subs))
    pd.testing.assert_frame_equal(
        combined_rows(backwards), pd.concat([s.rows for s in backwards], ignore_index=True)
    )
    # rows replaced by someone else (e.g. validation) are taken as they are now
    subs[0].rows = subs[0].rows.assign(completed=-1.0)
    got = combined_rows(subs)
    assert (got[got.submission_id == subs[0].submission_id].completed == -1.0).all()
    assert list(got.columns) == list(REPORT_ROW_COLUMNS)


def test_a_pickled_submission_carries_its_rows_not_the_shared_frame(samples_dir):
    subs, spans, frame = parse_chunk_frame(discover(samples_dir).candidates)
    attach_rows(subs, spans, frame)
    alone = pickle.loads(pickle.dumps(subs[0]))
    pd.testing.assert_frame_equal(alone.rows, subs[0].rows)
    assert len(pickle.dumps(subs[0])) < len(pickle.dumps(frame))
    assert len(combined_rows([alone])) == len(subs[0].rows)


def test_ordered_rows_keeps_the_submissions_order_across_shared_frames(tmp_path, samples_dir):
    # Two shared frames, their submissions interleaved, one replaced by validation: the rows
    # come strictly in the submissions' order, only the columns asked for.
    for sample in samples_dir.glob("THADS_*"):
        shutil.copy(sample, tmp_path)
    candidates = discover(tmp_path).candidates
    first, second = [], []
    for out in (first, second):  # the same files parsed twice: two shared frames
        subs, spans, frame = parse_chunk_frame(candidates)
        out += [s for s in attach_rows(subs, spans, frame, reindex=False) if s.rows is not None]
    mixed = [s for pair in zip(first, second, strict=True) for s in pair]
    mixed[1].rows = mixed[1].rows.assign(completed=-1.0)
    columns = ["submission_id", "office", "completed"]
    expected = pd.concat([s.rows[columns] for s in mixed], ignore_index=True)
    assert len(mixed) >= 4 and len(expected)
    pd.testing.assert_frame_equal(ordered_rows(mixed, columns), expected)
