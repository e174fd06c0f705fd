// The implementation file of consumer_separate (find_package/CMakeLists.txt): the same
// program built with SQLPROOF_SEPARATE_COMPILATION, from the installed headers.
#include <sqlproof/implementation.hpp>
