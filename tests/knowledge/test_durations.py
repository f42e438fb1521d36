import pytest

from knowledge.durations import Duration, DurationError, parse_duration


@pytest.mark.parametrize(("text", "expected", "human"), [
    ("30 menit", Duration(minutes=30), "30 menit"),
    ("1 Hari Kerja", Duration(working_days=1), "1 hari kerja"),
    ("17 Hari 3 Jam 30 Menit", Duration(days=17, hours=3, minutes=30), "17 hari 3 jam 30 menit"),
    ("1 (satu) tahun anggaran", Duration(fiscal_years=1), "1 tahun anggaran"),
    ("15 (Lima Belas) hari", Duration(days=15), "15 hari"),
    ("Menerima jawaban 1 (satu) hari sejak pengaduan diterima", Duration(days=1), "1 hari"),
    ("satu hari kerja", Duration(working_days=1), "1 hari kerja"),
])
def test_durations_as_written_become_numbers(text: str, expected: Duration, human: str) -> None:
    parsed = parse_duration(text)
    assert parsed == expected
    assert parsed.human() == human


def test_calendar_minutes_only_when_calendar_free() -> None:
    assert parse_duration("2 Hari 2 Jam").total_minutes() == (2 * 24 + 2) * 60
    assert parse_duration("1 Hari Kerja").total_minutes() is None


@pytest.mark.parametrize("text", ["", "segera", "cepat sekali", "Smenit"])
def test_text_without_a_duration_is_refused(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)
