"""Theme counts from elsewhere: taken when they are only counts, refused when per-person."""

import pytest

from coprod.conversation import theme_counts


def test_a_file_of_counts_is_read():
    rows = theme_counts.read(b"\xef\xbb\xbftheme,area,count\nRespite,Northfield,42\n\nRespite,,7\n")
    assert rows == [
        theme_counts.Row("Respite", "Northfield", 42, line=2),
        theme_counts.Row("Respite", "", 7, line=4),
    ]


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"theme,area,count,name\nRespite,North,3,Ann Smith\n", 1, "personal_column"),
        (b"theme,count\nRespite,3\n", 1, "missing_column"),
        (b"theme,area,count\nRespite,ann@example.org,3\n", 2, "personal_cell"),
        (b"theme,area,count\nRespite,North,3\nRespite,943 476 5919,2\n", 3, "personal_cell"),
        (b"theme,area,count\nRespite,12/03/2011,4\n", 2, "personal_cell"),
        (b"theme,area,count\nRespite,North,1\n", 2, "one_person"),
        (b"theme,area,count\nRespite,North,many\n", 2, "bad_count"),
        ("theme,area,count\nRespite,North,²\n".encode(), 2, "bad_count"),
        (b"theme,area,count\nRespite,North,10000000000000000000000\n", 2, "bad_count"),
        (b"theme,area,count\nRespite,North\n", 2, "wrong_cells"),
        (b"theme,area,count\n,North,4\n", 2, "no_theme"),
        (b"", 1, "empty"),
        (b"\xff\xfe", 1, "not_utf8"),
    ],
)
def test_a_file_with_anything_per_person_is_refused_with_the_line(data, line, reason):
    with pytest.raises(theme_counts.Refused) as refused:
        theme_counts.read(data)
    assert (refused.value.problems[0].line, refused.value.problems[0].reason) == (line, reason)
