"""The modern pool's Java: versions match their specification; a third of machines have none."""


def test_java_versions_and_vendors(modern_frame):
    java = modern_frame.dropna(subset=["JavaVersion"])
    assert set(java.JavaSpecificationVersion) == {"1.8", "11", "17", "21"}
    for row in java.drop_duplicates(["JavaVendor", "JavaVersion"]).itertuples():
        spec = row.JavaSpecificationVersion
        assert row.JavaVersion.startswith("1.8.0_" if spec == "1.8" else spec + ".")
    assert 0.25 < modern_frame.JavaVendor.isna().mean() < 0.45
