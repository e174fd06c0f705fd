# vcpkg overlay port for sqlproof, built from the source tree this port lives in:
#
#   vcpkg install sqlproof --overlay-ports=<sqlproof>/ports
#
# The port runs the project's own install (headers, CMake package files, sqlproof.pc) and
# moves the files to where vcpkg expects them. sqlproof is header-only, so one (release)
# configuration is enough.
#
# To package a published release instead of the local tree, replace the SOURCE_PATH line
# with vcpkg_from_github(OUT_SOURCE_PATH SOURCE_PATH REPO <owner>/sqlproof REF v${VERSION}
# SHA512 <hash of the release archive>).

set(VCPKG_BUILD_TYPE release)

get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

# The feature `postgres` (which depends on the libpq port) adds sqlproof::postgres.
vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
    FEATURES
        postgres SQLPROOF_WITH_POSTGRES
)

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        ${FEATURE_OPTIONS}
        -DSQLPROOF_BUILD_TESTS=OFF
        -DSQLPROOF_BUILD_EXAMPLES=OFF
        -DSQLPROOF_BUILD_BENCHMARKS=OFF
        -DSQLPROOF_INSTALL=ON
)

vcpkg_cmake_install()

# CMakeLists.txt installs the package files to ${CMAKE_INSTALL_DATADIR}/cmake/sqlproof;
# vcpkg wants them in share/sqlproof.
vcpkg_cmake_config_fixup(CONFIG_PATH share/cmake/sqlproof)

# sqlproof.pc (and sqlproof-postgres.pc) are installed to share/pkgconfig (no libraries,
# architecture-independent).
vcpkg_fixup_pkgconfig()

# Nothing is left in these once the files above have moved.
file(REMOVE_RECURSE
    "${CURRENT_PACKAGES_DIR}/debug"
    "${CURRENT_PACKAGES_DIR}/share/cmake")

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
