"""The one C extension (leadgate.intake._phonesplit); everything else is in pyproject.toml. `optional`: where
it cannot be built (no C compiler), leadgate installs without it and normalises numbers with polars alone."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("leadgate.intake._phonesplit", ["src/leadgate/intake/_phonesplit.c"],
                             extra_compile_args=["-O2"], optional=True)])
