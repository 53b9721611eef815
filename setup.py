"""Packaging for image-style: the CLI locally and the worker code on Dataflow (--setup_file)."""

import setuptools

setuptools.setup(
    name="image-style",
    version="0.1.0",
    description="Apache Beam operator that resolves image style elements and classifies design style.",
    python_requires=">=3.11,<3.12",
    packages=setuptools.find_packages(include=["pipeline*", "transforms*", "models*"]),
    package_data={"models": ["artifacts/**/*", "data/*"], "pipeline": ["*.html"]},
    include_package_data=True,
    install_requires=[
        "apache-beam[gcp]==2.77.0",
        "tensorflow==2.21.0",
        "tensorflow-hub==0.16.1",
        "pillow==12.3.0",
        "pyarrow==25.0.1",
        "google-cloud-storage>=2.14,<4",
        "duckdb==2.0.1",
        "webcolors==25.10.0",
    ],
    extras_require={
        "test": [
            "pytest==9.2.0",
            "ruff==0.17.6",
            "scikit-image==0.26.0",
            "scikit-learn==1.9.1",
            "gcp-storage-emulator==2026.7.19",
            "playwright==1.65.2",
        ],
    },
    entry_points={"console_scripts": ["image-style=pipeline.cli:main"]},
)
