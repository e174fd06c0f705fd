"""Conan 2 recipe for sqlproof, a header-only C++20 SQLite library.

The package is what the project's own `cmake --install` produces (headers, the CMake
package files and sqlproof.pc); `package_info()` describes the same targets to Conan's
generators, so `find_package(sqlproof CONFIG)` gives `sqlproof::sqlproof` either way.

With `with_postgres=True` the package also requires libpq and offers the PostgreSQL backend,
`sqlproof::postgres` (pkg-config: sqlproof-postgres).

    conan create .                               # build the package and run test_package/
    conan create . -o "sqlproof/*:with_postgres=True"
"""

import os
import re

from conan import ConanFile
from conan.errors import ConanException
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load

required_conan_version = ">=2.0"


class SqlproofConan(ConanFile):
    name = "sqlproof"
    description = ("Header-only C++20 SQLite library: rows are structs, SQL is checked at "
                   "compile time, migrations are checksummed, statements are cached per query type")
    license = "MIT"
    topics = ("sqlite", "sql", "database", "header-only", "compile-time")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"with_postgres": [True, False]}
    # Boost.PFR is all sqlproof uses from Boost, and it is headers only.
    default_options = {"with_postgres": False, "boost/*:header_only": True}
    exports_sources = ("CMakeLists.txt", "cmake/*", "include/*", "LICENSE")
    no_copy_source = True

    def set_version(self):
        # One source of truth: the version in CMakeLists.txt's project() call.
        text = load(self, os.path.join(self.recipe_folder, "CMakeLists.txt"))
        match = re.search(r"project\(\s*sqlproof\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)", text)
        if not match:
            raise ConanException("sqlproof: no `project(sqlproof VERSION x.y.z)` in CMakeLists.txt")
        self.version = match.group(1)

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        self.requires("sqlite3/[>=3.35 <4]")
        self.requires("boost/[>=1.75]")
        if self.options.with_postgres:
            # 14: the pipeline API.
            self.requires("libpq/[>=14]")

    def validate(self):
        if self.settings.get_safe("compiler.cppstd"):
            check_min_cppstd(self, 20)

    def package_id(self):
        # Headers only: one package for every setting; with_postgres stays in the id, since
        # it changes what is installed.
        self.info.settings.clear()
        self.info.requires.clear()

    def generate(self):
        tc = CMakeToolchain(self)
        tc.variables["SQLPROOF_BUILD_TESTS"] = False
        tc.variables["SQLPROOF_BUILD_EXAMPLES"] = False
        tc.variables["SQLPROOF_BUILD_BENCHMARKS"] = False
        tc.variables["SQLPROOF_INSTALL"] = True
        tc.variables["SQLPROOF_WITH_POSTGRES"] = "ON" if self.options.with_postgres else "OFF"
        tc.generate()
        # configure needs find_package(SQLite3), find_package(Boost CONFIG) and, with
        # with_postgres, find_package(PostgreSQL) to succeed.
        deps = CMakeDeps(self)
        deps.generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()

    def package(self):
        copy(self, "LICENSE", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))
        cmake = CMake(self)
        cmake.install()

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "sqlproof")
        self.cpp_info.set_property("cmake_target_name", "sqlproof::sqlproof")
        self.cpp_info.set_property("pkg_config_name", "sqlproof")

        # The targets of the project's own install: sqlproof::core (include directory, C++20,
        # Boost), sqlproof::sqlproof (core + SQLite) and, with with_postgres,
        # sqlproof::postgres (core + libpq).
        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "sqlproof::core")
        core.requires = ["boost::headers"]

        sqlite = self.cpp_info.components["sqlite"]
        sqlite.set_property("cmake_target_name", "sqlproof::sqlproof")
        sqlite.requires = ["core", "sqlite3::sqlite3"]

        components = [core, sqlite]
        if self.options.with_postgres:
            postgres = self.cpp_info.components["postgres"]
            postgres.set_property("cmake_target_name", "sqlproof::postgres")
            postgres.set_property("pkg_config_name", "sqlproof-postgres")
            postgres.requires = ["core", "libpq::libpq"]
            components.append(postgres)

        for component in components:
            component.bindirs = []
            component.libdirs = []
