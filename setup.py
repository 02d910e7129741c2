"""Build of the compiled extension (Cython). Metadata lives in pyproject.toml.

Every ``cs231n/*.pyx`` becomes an extension module of the same name. Its matrix
products come from SciPy (``cimport scipy.linalg.cython_blas``): SciPy's module
hands over the function pointers when it is imported, so nothing links to a BLAS.

The extension is optional: where it cannot be built (no C compiler, no Cython)
the package still installs, and ``cs231n.fast_layers`` says, once, that it runs
on its NumPy path.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent


class OptionalBuildExt(build_ext):
    """build_ext that reports a failed build instead of failing the install."""

    def run(self):
        try:
            super().run()
        except Exception as exc:  # no compiler at all, or the build tools missing
            self._skip(exc)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:  # this module failed to compile or link
            self._skip(exc, ext.name)

    @staticmethod
    def _skip(exc, name="the compiled extension"):
        print(f"WARNING: {name} was not built ({type(exc).__name__}: {exc}); cs231n will use "
              "its NumPy path. Install a C compiler and reinstall for the fast layers.")


def extensions():
    try:
        from Cython.Build import cythonize
        from setuptools import Extension
        return cythonize(
            [Extension(f"cs231n.{pyx.stem}", [str(pyx.relative_to(HERE))],
                       extra_compile_args=["-O3"])
             for pyx in sorted((HERE / "cs231n").glob("*.pyx"))],
            language_level=3,
            compiler_directives={"boundscheck": False, "wraparound": False, "cdivision": True})
    except Exception as exc:  # Cython (or SciPy's .pxd files) missing
        OptionalBuildExt._skip(exc)
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
