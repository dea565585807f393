"""The C extensions; everything else is in pyproject.toml. `optional`: where they cannot be built (no C
compiler), leadgate installs without them and does the same work with polars and numpy (slower):
- leadgate.intake._phonesplit: the phone normaliser's pass over a column of numbers;
- leadgate.consent._siphash: the suppression prefilter's SipHash of many numbers."""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension("leadgate.intake._phonesplit", ["src/leadgate/intake/_phonesplit.c"], extra_compile_args=["-O2"],
              optional=True),
    Extension("leadgate.consent._siphash", ["src/leadgate/consent/_siphash.c"], extra_compile_args=["-O2"],
              optional=True),
])
