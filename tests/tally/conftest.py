"""Fixtures for the vote-counting tests: the shared pabulib files, loaded once."""

import os
from pathlib import Path

import pytest

from coprod.tally import read_pb

# Small and medium files: pabutools counts each in a few seconds at most.
SMALL = [
    "Netherlands_Assen_2024",
    "Hungary_Budapest_2022_VIII_Jozsefvaros",
    "Netherlands_Amsterdam_166",
    "Poland_Warszawa_2026_Srodmiescie_Polnocne",
    "Poland_Czestochowa_2020_Grabowka",
    "Poland_Krakow_2018_Wzgorza_Krzeslawickie",
    "Poland_Katowice_2023_Ligota_-_Panewniki",
    "Poland_Wroclaw_2017_Rejon_nr_1_750",
]
MEDIUM = ["Poland_Czestochowa_2020", "Poland_Katowice_2023"]
# Too slow for pabutools in the suite (see bench/tally.py), fine for us.
LARGE = [
    "Hungary_Budapest_2024",
    "Poland_Krakow_2024",
    "Poland_Lodz_2022",
    "Poland_Warszawa_2026",
    "Poland_Wroclaw_2015_150_-_500",
]
ALL = SMALL + MEDIUM + LARGE


def pabulib_dir() -> Path:
    """PABULIB_DIR, else shared/pabulib beside the repository."""
    default = Path(__file__).resolve().parents[2].parent / "shared" / "pabulib"
    return Path(os.environ.get("PABULIB_DIR") or default)


@pytest.fixture(scope="session")
def pb_path():
    """The path of a shared .pb file by name; skips when the data is not there."""

    def path(name: str) -> Path:
        file = pabulib_dir() / f"{name}.pb"
        if not file.is_file():
            pytest.skip(f"{file} is missing: set PABULIB_DIR to a folder of pabulib files")
        return file

    return path


@pytest.fixture(scope="session")
def election(pb_path):
    """A shared election by name, parsed once per test session."""
    loaded = {}

    def load(name: str):
        if name not in loaded:
            loaded[name] = read_pb(pb_path(name))
        return loaded[name]

    return load
