from thads import reference
from thads.reference import CURRENT, LEGACY


def test_exactly_63_legacy_and_34_current_provinces():
    assert len(reference.provinces(LEGACY)) == 63
    assert len(reference.provinces(CURRENT)) == 34
    assert len(reference.valid_codes(LEGACY)) == 63
    assert len(reference.valid_codes(CURRENT)) == 34


def test_merger_mapping_examples_from_the_domain_brief():
    mapping = reference.legacy_to_current()
    assert mapping["80"] == "80"  # Long An -> Tây Ninh (code 80)
    assert mapping["72"] == "80"  # Tây Ninh -> Tây Ninh (code 80)
    assert mapping["93"] == "92"  # Hậu Giang -> Cần Thơ
    assert reference.province_by_code(LEGACY)["80"].short_name == "Long An"
    assert reference.province_by_code(CURRENT)["80"].short_name == "Tây Ninh"
    assert reference.province_by_code(CURRENT)["92"].short_name == "Cần Thơ"


def test_every_legacy_province_maps_to_a_current_one_and_every_current_is_reached():
    mapping = reference.legacy_to_current()
    assert set(mapping) == reference.valid_codes(LEGACY)
    assert set(mapping.values()) == reference.valid_codes(CURRENT)


def test_districts_come_from_the_package():
    districts = reference.legacy_districts("80")
    assert "Huyện Cần Giuộc" in districts
    assert len(districts) == 15


def test_dbt_seeds_match_the_package(tmp_path):
    """The committed seeds are generated, not typed: regenerate and compare byte for byte."""
    for name, rows in reference.seed_rows().items():
        committed = (reference.SEEDS_DIR / name).read_text(encoding="utf-8")
        assert committed == reference.render_seed(rows), (
            f"{name} drifted: run python -m thads.reference"
        )
